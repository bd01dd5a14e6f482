using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Integration.Tests.Infrastructure;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;

namespace Mesh.Integration.Tests.L4;

/// <summary>
/// Istio's tcp-echo setting in one process: the real control plane, the C# tcp-echo in versions
/// v1 ("one") and v2 ("two") with sidecars (service tcp-echo: ports tcp 9000, tcp-other 9001,
/// tcp-9002 9002), a client workload "curl" whose sidecar binds tcp-echo's three ports (what
/// <c>nc tcp-echo 9000</c> reaches from Istio's curl pod), and the ingress gateway with a
/// listener for Gateway port 31400. Everything is in namespace <see cref="Namespace"/>.
/// </summary>
public sealed class TcpEchoMesh : IAsyncDisposable
{
    public static readonly int[] EchoPorts = [9000, 9001, 9002];

    private readonly List<IAsyncDisposable> _owned = [];

    private TcpEchoMesh(string root, TestControlPlane controlPlane, string @namespace)
    {
        Root = root;
        ControlPlane = controlPlane;
        Namespace = @namespace;
    }

    public string Root { get; }

    public string ConfigDirectory => Path.Combine(Root, "config");

    public TestControlPlane ControlPlane { get; }

    public string Namespace { get; }

    public ProxyHost Client { get; private set; } = null!;

    public ProxyHost Gateway { get; private set; } = null!;

    public IReadOnlyList<string> ProxyIds { get; private set; } = [];

    /// <summary>The tcp-echo sidecars (v1, v2).</summary>
    public string[] EchoSidecars { get; } = ["tcp-echo-v1", "tcp-echo-v2"];

    public static async Task<TcpEchoMesh> StartAsync(string @namespace = "default")
    {
        var root = Path.Combine(Path.GetTempPath(), "mesh-l4-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "config"));
        var mesh = new TcpEchoMesh(root, await MeshProxies.StartControlPlaneAsync(root), @namespace);
        try
        {
            var ids = new List<string>();
            foreach (var (version, prefix) in new[] { ("v1", "one"), ("v2", "two") })
            {
                var app = await TcpEchoWorkload.StartAsync(prefix);
                mesh._owned.Add(app);
                var sidecar = await MeshProxies.StartSidecarAsync(
                    new SidecarSpec($"tcp-echo-{version}", "tcp-echo", version)
                    {
                        Namespace = @namespace,
                        Ports = [new("tcp", 9000, app.Ports[0]), new("tcp-other", 9001, app.Ports[1]), new("tcp-9002", 9002, app.Ports[2])],
                    },
                    mesh.ControlPlane);
                mesh._owned.Add(sidecar);
                ids.Add(sidecar.Id);
            }

            mesh.Client = await MeshProxies.StartSidecarAsync(
                new SidecarSpec("curl", "curl", "v1") { Namespace = @namespace, Bindings = [.. EchoPorts.Select(p => new BindingSpec("tcp-echo", p))] },
                mesh.ControlPlane);
            mesh._owned.Add(mesh.Client);
            mesh.Gateway = await MeshProxies.StartIngressAsync(mesh.ControlPlane, 31400);
            mesh._owned.Add(mesh.Gateway);
            mesh.ProxyIds = [.. ids, mesh.Client.Id, mesh.Gateway.Id];
            await mesh.ControlPlane.WaitForSyncedAsync(mesh.ProxyIds, budget: TimeSpan.FromSeconds(30));
            await mesh.WaitForEchoEndpointsAsync();
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits, without sending traffic, until the client's sidecar holds both tcp-echo workloads as
    /// endpoints of the service (its /config_dump): SYNCED can arrive before the push that carries
    /// the last registration, and a connection before then is refused (no endpoint), which tests
    /// counting connections and bytes exactly cannot absorb with a warm-up call.
    /// </summary>
    private async Task WaitForEchoEndpointsAsync()
    {
        var service = $"tcp-echo.{Namespace}.svc.cluster.local";
        IReadOnlySet<string> seen = new HashSet<string>();
        await Poll.UntilAsync(
            $"the curl sidecar to hold {string.Join(" and ", EchoSidecars)} as endpoints of {service}",
            () => (seen = Client.EndpointWorkloads(service)).SetEquals(EchoSidecars),
            () => $"endpoints seen: [{string.Join(", ", seen)}]",
            budget: TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Applies an Istio file of the repository's samples/ unchanged (as <c>meshctl apply -f</c>) and
    /// waits until the proxies it changes have it (a proxy whose snapshot does not change gets no push).
    /// </summary>
    public async Task ApplySampleAsync(string relativePath, params string[] affected)
    {
        var generation = await ControlPlane.ApplyAsync(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "samples", relativePath)));
        foreach (var id in affected)
        {
            await ControlPlane.WaitForSyncedAtAsync(id, generation, budget: TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Sends one line over a new connection to <paramref name="port"/>; the answer, or null when the connection was refused (closed or reset).</summary>
    public static async Task<string?> EchoAsync(int port, string line)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A proxy that refuses the connection may reset it before the connect completes here.
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));
            socket.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var received = new StringBuilder();
            var buffer = new byte[1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }

            var text = received.ToString().TrimEnd('\n');
            return text.Length == 0 ? null : text;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>What Istio's authorization task checks: <c>echo "port N" | nc tcp-echo N</c> from the curl pod.</summary>
    public Task<string?> FromCurlAsync(int servicePort) => EchoAsync(Client.OutboundPort("tcp-echo", servicePort), $"port {servicePort}");

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await ControlPlane.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Mesh.sln) not found");
    }
}
