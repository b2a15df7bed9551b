// pgjdbc through meshgate in transaction pool mode: server-side prepared statements
// (prepareThreshold=1, so pgjdbc names them S_1, S_2, ... in every connection alike) from two
// connections whose S_1 are different statements, interleaved with transactions, over a small
// pool. Run by tests/e2e/suites/txpool.py; expectations come from the environment (computed from
// the warehouse). Prints "ok - ..." / "FAIL - ..." lines and "done" at the end.
import java.sql.*;
import java.util.Properties;

public class JdbcTxPool {
    static int failed = 0;

    static void check(String desc, boolean cond, String detail) {
        if (cond) {
            System.out.println("ok - " + desc);
        } else {
            failed++;
            System.out.println("FAIL - " + desc + (detail.isEmpty() ? "" : ": " + detail.replace('\n', ' ')));
        }
    }

    static Connection connect() throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + System.getenv("MG_PORT")
                + "/mesh?sslmode=disable&connectTimeout=10&socketTimeout=30&prepareThreshold=1";
        Properties p = new Properties();
        p.setProperty("user", System.getenv("MG_USER"));
        p.setProperty("password", System.getenv("MG_PASSWORD"));
        return DriverManager.getConnection(url, p);
    }

    public static void main(String[] args) throws Exception {
        long wantA = Long.parseLong(System.getenv("EXPECT_ABALANCE"));   // aid 3
        long wantB = Long.parseLong(System.getenv("EXPECT_BCOUNT"));     // tellers
        try (Connection a = connect(); Connection b = connect()) {
            PreparedStatement pa = a.prepareStatement("SELECT abalance FROM pgbench_accounts WHERE aid = ?");
            PreparedStatement pb = b.prepareStatement("SELECT count(*) FROM pgbench_tellers WHERE tid > ?");
            String problems = "";
            for (int i = 0; i < 20; i++) {
                if (i % 3 == 2) {
                    a.setAutoCommit(false);
                }
                pa.setInt(1, 3);
                try (ResultSet rs = pa.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) != wantA) problems += " a" + i;
                }
                pb.setInt(1, 0);
                try (ResultSet rs = pb.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) != wantB) problems += " b" + i;
                }
                if (i % 3 == 2) {
                    pa.setInt(1, 3);
                    try (ResultSet rs = pa.executeQuery()) {
                        if (!rs.next() || rs.getLong(1) != wantA) problems += " a'" + i;
                    }
                    a.commit();
                    a.setAutoCommit(true);
                }
            }
            check("two connections' server-side prepared statements S_1 (different queries) run 20 "
                  + "times each, in and out of transactions, over the pool", problems.isEmpty(), problems);
            try (Statement s = a.createStatement()) {
                s.execute("SET application_name = 'jdbc-a'");
            }
            String seen = "";
            try (Statement s = b.createStatement(); ResultSet rs = s.executeQuery("SHOW application_name")) {
                rs.next();
                seen = rs.getString(1);
            }
            check("a SET by one JDBC connection is not seen by the other", !seen.equals("jdbc-a"), seen);
        } catch (SQLException ex) {
            check("the JDBC transaction-pool client ran without SQL errors", false,
                  ex.getSQLState() + " " + ex.getMessage());
        }
        System.out.println("done");
        System.exit(failed == 0 ? 0 : 1);
    }
}
