// pgjdbc with autocommit off through meshgate: runs each argument as a statement inside the
// driver's transaction (pgjdbc sends its BEGIN as an extended-protocol Parse/Bind/Execute in the
// same batch as the first statement). The argument "commit" commits, "rollback" rolls back.
// Prints one line per result row ("row\tv1\tv2...") or error ("error\tSQLSTATE\tmessage"; the
// transaction is rolled back after it), then "done". Environment: MG_PORT, MG_USER, MG_PASSWORD.
import java.sql.*;
import java.util.Properties;

public class JdbcTxn {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + System.getenv("MG_PORT")
                + "/mesh?sslmode=disable&connectTimeout=10&socketTimeout=60";
        Properties p = new Properties();
        p.setProperty("user", System.getenv("MG_USER"));
        p.setProperty("password", System.getenv("MG_PASSWORD"));
        try (Connection c = DriverManager.getConnection(url, p)) {
            c.setAutoCommit(false);
            for (String sql : args) {
                if (sql.equals("commit")) {
                    c.commit();
                    System.out.println("committed");
                    continue;
                }
                if (sql.equals("rollback")) {
                    c.rollback();
                    System.out.println("rolled back");
                    continue;
                }
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder line = new StringBuilder("row");
                        for (int i = 1; i <= n; i++) {
                            line.append('\t').append(rs.getString(i));
                        }
                        System.out.println(line);
                    }
                } catch (SQLException e) {
                    System.out.println("error\t" + e.getSQLState() + "\t" + e.getMessage().replace('\n', ' '));
                    c.rollback();
                }
            }
        }
        System.out.println("done");
    }
}
