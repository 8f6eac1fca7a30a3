-- The catalog search through an index instead of a LIKE scan of every service (1.4-3 ms at
-- 5,000 services). `services.search` holds the words a search matches on, folded by
-- storage/services.py (`words`: case in every script, accents, compatibility forms) and one
-- space apart; this FTS5 table indexes exactly those words. The ascii tokenizer splits on ASCII
-- spaces and punctuation only and keeps every other character inside its word, so SQLite's own
-- (Unicode 6.1) idea of a letter never splits again what Python folded. PostgreSQL's index
-- splits the column at the same characters (postgresql/013_search.sql): both engines find the
-- same services.
-- A Python whose SQLite was built without FTS5 stops here ("no such module: fts5"), at the
-- migration, rather than at a customer's first search.
CREATE VIRTUAL TABLE services_fts USING fts5 (
    search, content = 'services', content_rowid = 'id', tokenize = 'ascii'
);
-- Kept in step by triggers, in the transaction that writes the service; a re-sync that leaves
-- a service's words as they were does not touch the index.
CREATE TRIGGER services_fts_inserted AFTER INSERT ON services BEGIN
    INSERT INTO services_fts (rowid, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER services_fts_updated AFTER UPDATE OF id, search ON services
WHEN old.id IS NOT new.id OR old.search IS NOT new.search BEGIN
    INSERT INTO services_fts (services_fts, rowid, search) VALUES ('delete', old.id, old.search);
    INSERT INTO services_fts (rowid, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER services_fts_deleted AFTER DELETE ON services BEGIN
    INSERT INTO services_fts (services_fts, rowid, search) VALUES ('delete', old.id, old.search);
END;
-- A catalog from before: its words as the sync wrote them then (name and category casefolded,
-- which the tokenizer splits at their punctuation); the next sync (one runs at start) writes
-- them folded.
INSERT INTO services_fts (services_fts) VALUES ('rebuild');
