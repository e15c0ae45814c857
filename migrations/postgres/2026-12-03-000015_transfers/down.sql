DROP TABLE purchase_receipts;
DROP TABLE purchase_order_lines;
DROP TABLE purchase_orders;
DROP TABLE stock_transfer_lines;
DROP TABLE stock_transfers;
