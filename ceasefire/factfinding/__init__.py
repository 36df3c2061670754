"""Fact-finding: reports clustered into incidents, corroborated, reviewed, published."""
