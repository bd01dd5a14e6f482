using Mesh.Integration.Tests.Infrastructure;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;
using Npgsql;

namespace Mesh.Integration.Tests.L4.Postgres;

/// <summary>
/// A PostgreSQL server behind its sidecar (service <c>postgres</c>, port <c>tcp-postgres</c> 5432)
/// and an app whose sidecar binds postgres:5432, in namespace <see cref="Namespace"/> where a
/// PeerAuthentication says STRICT — so the only way in is mesh mTLS between the two sidecars. The
/// server does its own SSL inside that tunnel. Nothing starts when PostgreSQL is unavailable (the
/// facts are skipped then).
/// </summary>
public sealed class PostgresMesh : IAsyncLifetime
{
    public const string Namespace = "pgmesh";
    public const int ServicePort = 5432;

    private readonly List<IAsyncDisposable> _owned = [];
    private string? _root;

    internal PostgresServer Server { get; private set; } = null!;

    internal ProxyHost ServerSidecar { get; private set; } = null!;

    internal ProxyHost App { get; private set; } = null!;

    /// <summary>Where the app connects: its sidecar's binding of postgres:5432.</summary>
    public int AppPort => App.OutboundPort("postgres", ServicePort);

    public async Task InitializeAsync()
    {
        if (PostgresServer.Unavailable is not null)
        {
            return;
        }

        Server = await PostgresServer.StartAsync();
        _owned.Add(Server);
        _root = Path.Combine(Path.GetTempPath(), "mesh-pg-mesh-" + Guid.NewGuid().ToString("N"));
        var controlPlane = await MeshProxies.StartControlPlaneAsync(_root);
        _owned.Add(controlPlane);
        ServerSidecar = await MeshProxies.StartSidecarAsync(
            new SidecarSpec("postgres", "postgres", "v1") { Namespace = Namespace, Ports = [new("tcp-postgres", ServicePort, Server.Port)] },
            controlPlane);
        _owned.Add(ServerSidecar);
        App = await MeshProxies.StartSidecarAsync(
            new SidecarSpec("app", "app", "v1") { Namespace = Namespace, Bindings = [new BindingSpec("postgres", ServicePort)] },
            controlPlane);
        _owned.Add(App);
        await controlPlane.WaitForSyncedAsync([ServerSidecar.Id, App.Id], budget: TimeSpan.FromSeconds(30));

        var generation = await controlPlane.ApplyAsync($"""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: default
              namespace: {Namespace}
            spec:
              mtls:
                mode: STRICT
            """);
        await controlPlane.WaitForSyncedAtAsync(ServerSidecar.Id, generation, budget: TimeSpan.FromSeconds(30));
        await controlPlane.WaitForSyncedAtAsync(App.Id, generation, budget: TimeSpan.FromSeconds(30));

        var service = $"postgres.{Namespace}.svc.cluster.local";
        IReadOnlySet<string> seen = new HashSet<string>();
        await Poll.UntilAsync(
            $"the app's sidecar to hold the postgres workload as the endpoint of {service}",
            () => (seen = App.EndpointWorkloads(service)).Contains(ServerSidecar.Id),
            () => $"endpoints seen: [{string.Join(", ", seen)}]",
            budget: TimeSpan.FromSeconds(30));
    }

    /// <summary>A connection string to <paramref name="port"/> as user mesh with the server's password.</summary>
    public string ConnectionString(int port, SslMode sslMode) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = port,
        Username = PostgresServer.User,
        Password = Server.Password,
        Database = "postgres",
        SslMode = sslMode,
        Pooling = false,
        Timeout = 30,
        CommandTimeout = 120,
    }.ConnectionString;

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
