-- The message log keeps bodies as bytes (issue 11, big bodies): a record
-- written from now on has its body in body_raw and NULL in body; records
-- written before keep their base64 body.  The hash chain never covered the
-- body itself, only body_hash (SHA-512 of the bytes), so it is unchanged.
ALTER TABLE xr_msglog ADD COLUMN body_raw BLOB;
