"""The public HTTP contract's request shapes (pydantic), shared by the API and the bulk
import, so an imported event is checked exactly as a posted one."""
