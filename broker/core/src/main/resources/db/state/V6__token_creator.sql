-- Every token records who created it (typed principal, e.g. token:ops or spiffe://...; "" for tokens made before).
ALTER TABLE sb_tokens ADD COLUMN creator VARCHAR(512) DEFAULT '' NOT NULL;
