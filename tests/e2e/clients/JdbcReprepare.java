// One pgjdbc server-prepared statement (prepareThreshold=1, autocommit) executed once per line
// read from stdin, so tests/e2e can reload meshgate's policies between two executions. Prints
// "row\t<first column>" or "error\tSQLSTATE\tmessage" per execution. Argument: the SQL.
// Environment: MG_PORT, MG_USER, MG_PASSWORD.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.*;
import java.util.Properties;

public class JdbcReprepare {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + System.getenv("MG_PORT")
                + "/mesh?sslmode=disable&prepareThreshold=1&connectTimeout=10&socketTimeout=60";
        Properties p = new Properties();
        p.setProperty("user", System.getenv("MG_USER"));
        p.setProperty("password", System.getenv("MG_PASSWORD"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        try (Connection c = DriverManager.getConnection(url, p);
             PreparedStatement ps = c.prepareStatement(args[0])) {
            while (in.readLine() != null) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        System.out.println("row\t" + rs.getString(1));
                    }
                } catch (SQLException e) {
                    System.out.println("error\t" + e.getSQLState() + "\t" + e.getMessage().replace('\n', ' '));
                }
                System.out.flush();
            }
        }
    }
}
