DROP TABLE cafe_bill_shares;
