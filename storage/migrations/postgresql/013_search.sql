-- The catalog search through an index instead of a LIKE scan of every service; SQLite's is
-- an FTS5 table (../013_search.sql). `services.search` holds the words a search matches on,
-- folded by storage/services.py and one space apart. service_words splits it where SQLite's
-- ascii tokenizer does (ASCII spaces and punctuation; a catalog from before, whose `search` is
-- its casefolded name and category, is split alike until the next sync writes its words), and
-- array_to_tsvector takes the pieces as they are: no text search parser or configuration
-- (whose idea of a letter follows the database's locale), no extension. A search is a tsquery
-- of the shop's own words, each a prefix (`'tiktok':* & 'lik':*`), which the index answers.
-- PL/pgSQL, with its cost, so the planner knows that reading every row to split it again is
-- dear (a plain expression counts as almost free, and a scan of 5,000 services took 40 ms).
CREATE FUNCTION service_words(search TEXT) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
BEGIN
    RETURN array_to_tsvector(array_remove(
        regexp_split_to_array(search, '[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+'), ''
    ));
END;
$$;
CREATE INDEX services_words ON services USING gin (service_words(search));
