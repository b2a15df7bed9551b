// pgjdbc through meshgate: extended protocol (PreparedStatement), a masked value, a refusal with
// SQLState 42501 followed by a working query on the same connection, and 28P01 for bad logins.
// Run by tests/e2e/e2e.py as `java -cp /usr/share/java/postgresql.jar JdbcE2E.java`; expectations
// come from the environment (computed by e2e.py from the warehouse and the test's hash key).
// Prints one "ok - ..." / "FAIL - ..." line per check and "done" at the end.
import java.sql.*;
import java.util.Properties;

public class JdbcE2E {
    static int failed = 0;

    static void check(String desc, boolean cond, String detail) {
        if (cond) {
            System.out.println("ok - " + desc);
        } else {
            failed++;
            System.out.println("FAIL - " + desc + (detail.isEmpty() ? "" : ": " + detail.replace('\n', ' ')));
        }
    }

    static String env(String k) {
        String v = System.getenv(k);
        if (v == null) throw new IllegalStateException("missing environment variable " + k);
        return v;
    }

    static Connection connect(String user, String password) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + env("MG_PORT") + "/mesh?sslmode=" + env("MG_SSLMODE")
                + "&connectTimeout=10&socketTimeout=30";
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(url, p);
    }

    public static void main(String[] args) throws Exception {
        String user = env("MG_USER");
        try (Connection c = connect(user, env("MG_PASSWORD"))) {
            check("connects as " + user, true, "");
            try (PreparedStatement ps = c.prepareStatement("SELECT id, email, phone FROM sales.customers WHERE id = ?")) {
                ps.setInt(1, Integer.parseInt(env("EXPECT_ID")));
                try (ResultSet rs = ps.executeQuery()) {
                    boolean row = rs.next();
                    String email = row ? rs.getString(2) : null;
                    String phone = row ? rs.getString(3) : "?";
                    check("PreparedStatement returns the e-mail as the keyed hash", row && env("EXPECT_EMAIL").equals(email),
                            "got " + email);
                    check("phone is masked to NULL", row && phone == null, "got " + phone);
                    check("exactly one row", row && !rs.next(), "");
                }
                // Re-execute the same statement (pgjdbc switches to a named server-side statement after 5 uses).
                boolean allEmpty = true;
                for (int i = 0; i < 7; i++) {
                    ps.setInt(1, Integer.parseInt(env("EXPECT_US_ID")));
                    try (ResultSet rs = ps.executeQuery()) { if (rs.next()) allEmpty = false; }
                }
                check("re-executed 7 times (named server statement): a US id never returns a row", allEmpty, "");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sales.customers WHERE balance >= ?")) {
                ps.setBigDecimal(1, new java.math.BigDecimal("0"));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("count with a numeric parameter equals the EU count", rs.getLong(1) == Long.parseLong(env("EXPECT_EU_COUNT")),
                            "got " + rs.getLong(1));
                }
            }
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT * FROM sales.payouts");
                check("sales.payouts is refused", false, "query succeeded");
            } catch (SQLException e) {
                check("sales.payouts is refused with SQLState 42501", "42501".equals(e.getSQLState()),
                        e.getSQLState() + " " + e.getMessage());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM public.customers WHERE id = ?")) {
                ps.setInt(1, 1);
                ps.executeQuery();
                check("public.customers is refused", false, "query succeeded");
            } catch (SQLException e) {
                check("public.customers is refused with SQLState 42P01 (extended protocol)", "42P01".equals(e.getSQLState()),
                        e.getSQLState() + " " + e.getMessage());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sales.orders WHERE amount > ?")) {
                ps.setBigDecimal(1, new java.math.BigDecimal("0"));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("the same connection works after the refusals", rs.getLong(1) == Long.parseLong(env("EXPECT_ORDERS")),
                            "got " + rs.getLong(1));
                }
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT iban FROM sales.payouts");
                check("refusal inside a transaction", false, "query succeeded");
            } catch (SQLException e) {
                check("refusal inside a transaction gives 42501", "42501".equals(e.getSQLState()), e.getSQLState());
            }
            c.rollback();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sales.customers")) {
                rs.next();
                check("after rollback the transaction works again", rs.getLong(1) == Long.parseLong(env("EXPECT_EU_COUNT")), "");
            }
            c.commit();
        } catch (SQLException e) {
            check("no unexpected SQLException", false, e.getSQLState() + " " + e.getMessage());
        }
        for (String[] creds : new String[][] {{user, "wrong-password"}, {"nosuchuser", "wrong-password"}}) {
            try (Connection c = connect(creds[0], creds[1])) {
                check("bad login for " + creds[0] + " is refused", false, "connected");
            } catch (SQLException e) {
                check("bad login for " + creds[0] + " is refused with 28P01", "28P01".equals(e.getSQLState()),
                        e.getSQLState() + " " + e.getMessage());
            }
        }
        System.out.println("done");
        System.exit(failed == 0 ? 0 : 1);
    }
}
