// DynamoDB Local bound to one address (127.0.0.1 by default) instead of every network interface.
// DynamoDB Local's command line has no host option: its DynamoDBProxyServer builds a Jetty Server on
// a port, whose connector listens on all interfaces. This launcher builds the server from the same
// command line, sets the host of its connectors before it starts, and runs it. Reflection only, so it
// compiles against the JDK alone (no DynamoDB Local or Jetty classes at compile time).
//
//   java -cp DynamoDBLocal.jar:<dir of this class> LoopbackDynamoDBLocal <host> <DynamoDB Local args…>
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;

public final class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) rest);
    Field serverField = proxy.getClass().getDeclaredField("server");
    serverField.setAccessible(true);
    Object jetty = serverField.get(proxy);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind");
    for (Object connector : connectors) {
      Method setHost = connector.getClass().getMethod("setHost", String.class);
      setHost.invoke(connector, host);
    }
    proxy.getClass().getMethod("start").invoke(proxy);
    System.out.println("DynamoDB Local listening on " + host);
  }
}
