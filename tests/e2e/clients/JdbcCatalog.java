// pgjdbc's DatabaseMetaData through meshgate: prints what getSchemas, getTables and getColumns
// return, one tab-separated line per row, so tests/e2e/suites/catalog.py can compare them with
// the products it configured. Environment: MG_PORT, MG_USER, MG_PASSWORD, MG_SCHEMAS (comma-
// separated schema patterns for getColumns), optional MG_PURPOSE. Ends with "done".
import java.sql.*;
import java.util.Properties;

public class JdbcCatalog {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + System.getenv("MG_PORT")
                + "/mesh?sslmode=disable&connectTimeout=10&socketTimeout=60";
        Properties p = new Properties();
        p.setProperty("user", System.getenv("MG_USER"));
        p.setProperty("password", System.getenv("MG_PASSWORD"));
        String purpose = System.getenv("MG_PURPOSE");
        if (purpose != null && !purpose.isEmpty()) {
            p.setProperty("options", "-c meshgate.purpose=" + purpose);
        }
        try (Connection c = DriverManager.getConnection(url, p)) {
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) {
                    System.out.println("schema\t" + rs.getString("TABLE_SCHEM"));
                }
            }
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next()) {
                    System.out.println("table\t" + rs.getString("TABLE_SCHEM") + "\t" + rs.getString("TABLE_NAME")
                            + "\t" + rs.getString("TABLE_TYPE") + "\t" + rs.getString("REMARKS"));
                }
            }
            for (String schema : System.getenv("MG_SCHEMAS").split(",")) {
                try (ResultSet rs = md.getColumns(null, schema, "%", "%")) {
                    while (rs.next()) {
                        System.out.println("column\t" + rs.getString("TABLE_SCHEM") + "\t" + rs.getString("TABLE_NAME")
                                + "\t" + rs.getString("COLUMN_NAME") + "\t" + rs.getString("TYPE_NAME")
                                + "\t" + rs.getInt("ORDINAL_POSITION") + "\t" + rs.getString("REMARKS"));
                    }
                }
            }
            // Optional MG_KEYS: comma-separated schema.table for getPrimaryKeys / getIndexInfo.
            String keys = System.getenv("MG_KEYS");
            if (keys != null && !keys.isEmpty()) {
                for (String rel : keys.split(",")) {
                    String[] parts = rel.split("\\.", 2);
                    // Each call on its own: an error is printed ("error\tcall\tSQLSTATE\tmessage")
                    // and the next call still runs.
                    try (ResultSet rs = md.getPrimaryKeys(null, parts[0], parts[1])) {
                        while (rs.next()) {
                            System.out.println("pk\t" + rs.getString("TABLE_SCHEM") + "\t" + rs.getString("TABLE_NAME")
                                    + "\t" + rs.getString("COLUMN_NAME") + "\t" + rs.getString("PK_NAME"));
                        }
                    } catch (SQLException e) {
                        System.out.println("error\tgetPrimaryKeys\t" + e.getSQLState() + "\t" + e.getMessage().replace('\n', ' '));
                    }
                    try (ResultSet rs = md.getIndexInfo(null, parts[0], parts[1], false, true)) {
                        while (rs.next()) {
                            System.out.println("index\t" + rs.getString("TABLE_SCHEM") + "\t" + rs.getString("TABLE_NAME")
                                    + "\t" + rs.getString("INDEX_NAME") + "\t" + rs.getString("COLUMN_NAME"));
                        }
                    } catch (SQLException e) {
                        System.out.println("error\tgetIndexInfo\t" + e.getSQLState() + "\t" + e.getMessage().replace('\n', ' '));
                    }
                }
            }
        }
        System.out.println("done");
    }
}
