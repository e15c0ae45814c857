DROP TABLE defective_stock;
DROP TABLE warranty_claims;
