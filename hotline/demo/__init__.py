"""Demo data: the fictitious 清溪县 and its people."""
