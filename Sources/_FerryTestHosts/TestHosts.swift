/// Test support: throwaway SSH hosts in their own network and mount namespaces.
public enum TestHostsModule {}
