-- The message log's OCSP answers, each kept once (issue 11, the
-- exchange's throughput): a gateway sends its newest answer with every
-- message until the next refresh, so records name it instead of holding
-- it.  xr_msglog.ocsp holds 'sha256:' and the SHA-256 (hex) of the
-- base64 answer here; records written before hold the answer itself.
-- The hash chain covers the answer either way (XR_LOGROW_SELECT joins).
CREATE TABLE xr_msglog_ocsp (
    digest TEXT PRIMARY KEY,              -- 'sha256:' || hex SHA-256 of answer
    answer TEXT NOT NULL                  -- base64 DER of the OCSP answer
);
