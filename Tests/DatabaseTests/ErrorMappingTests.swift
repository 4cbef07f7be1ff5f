import Database
import DatabaseTestSupport
import Testing

@Suite struct ErrorMappingTests {
    private func failure(_ pool: DatabasePool, _ query: SQLQuery) async -> DatabaseError? {
        do {
            try await pool.query(query)
            return nil
        } catch {
            return error as? DatabaseError
        }
    }

    // MARK: Tests

    @Test func constraintViolationsAreToldApart() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            try await pool.withConnection { connection in
                try connection.executeScript(
                    """
                    CREATE EXTENSION IF NOT EXISTS btree_gist;
                    CREATE TABLE parent (id int PRIMARY KEY, slug text UNIQUE, amount int CHECK (amount >= 0), name text NOT NULL);
                    CREATE TABLE child (parent_id int REFERENCES parent (id));
                    CREATE TABLE booking (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));
                    INSERT INTO parent VALUES (1, 'a', 1, 'x');
                    INSERT INTO booking VALUES (1, tstzrange('2026-01-01', '2026-02-01'));
                    """)
            }
            let unique = await failure(pool, "INSERT INTO parent VALUES (\(2), \("a"), \(1), \("y"))")
            #expect(unique?.isUniqueViolation == true)
            #expect(unique?.constraint == "parent_slug_key")
            #expect(unique?.detail?.contains("already exists") == true)
            let foreignKey = await failure(pool, "INSERT INTO child VALUES (\(99))")
            #expect(foreignKey?.isForeignKeyViolation == true)
            #expect(foreignKey?.constraint == "child_parent_id_fkey")
            let check = await failure(pool, "INSERT INTO parent VALUES (\(3), \("c"), \(-5), \("z"))")
            #expect(check?.isCheckViolation == true)
            #expect(check?.constraint == "parent_amount_check")
            let notNull = await failure(pool, "INSERT INTO parent (id, slug, amount) VALUES (\(4), \("d"), \(1))")
            #expect(notNull?.isNotNullViolation == true)
            #expect(notNull?.column == "name")
            let exclusion = await failure(pool, "INSERT INTO booking VALUES (1, tstzrange('2026-01-15', '2026-03-01'))")
            #expect(exclusion?.isExclusionViolation == true)
            let syntax = await failure(pool, "SELEC 1")
            #expect(syntax?.sqlState == "42601")
            #expect(syntax?.kind == .server)
            #expect(syntax?.isConnectionLost == false)
        }
    }
}
