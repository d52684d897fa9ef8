"""How `coordination serve` runs the API: uvicorn, its limits, several workers on one port."""
