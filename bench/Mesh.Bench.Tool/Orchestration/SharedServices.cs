using Mesh.Bench.Tool.Grpc;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// What every data-path configuration shares: the nginx 1 KB backend, the gRPC backend, the TCP
/// echo backend and the control plane the Mesh proxies get their snapshots from (all on the CPUs
/// under test).
/// </summary>
public sealed class SharedServices
{
    public const int BodyBytes = 1024;

    private SharedServices(int backendPort, int grpcBackendPort, int adminPort, int grpcPort, ManagedProcess backend, ManagedProcess grpcBackend, ManagedProcess controlPlane, int tcpBackendPort, ManagedProcess tcpBackend)
    {
        TcpBackendPort = tcpBackendPort;
        TcpBackend = tcpBackend;
        BackendPort = backendPort;
        GrpcBackendPort = grpcBackendPort;
        ControlPlaneAdminPort = adminPort;
        ControlPlaneGrpcPort = grpcPort;
        Backend = backend;
        GrpcBackend = grpcBackend;
        ControlPlane = controlPlane;
    }

    public int BackendPort { get; }

    public int GrpcBackendPort { get; }

    /// <summary>The TCP rows' backend: echoes every byte (mesh-bench tcp-echo-backend).</summary>
    public int TcpBackendPort { get; }

    public ManagedProcess TcpBackend { get; }

    public int ControlPlaneAdminPort { get; }

    public int ControlPlaneGrpcPort { get; }

    public ManagedProcess Backend { get; }

    public ManagedProcess GrpcBackend { get; }

    public ManagedProcess ControlPlane { get; }

    /// <summary>The fixed response body: 1,024 printable bytes.</summary>
    public static string Body { get; } = string.Concat(Enumerable.Repeat("mesh-bench-1KB-response.", 50))[..BodyBytes];

    public static async Task<SharedServices> StartAsync(RunContext run)
    {
        var backendPort = run.Ports.Next();
        var backend = run.Start(ProcessSpecs.Nginx(run, "nginx-backend", RenderNginx(run, "nginx-backend", "nginx-backend.conf", backendPort, 0)));
        await Readiness.WaitForOkAsync(run, new Uri($"http://127.0.0.1:{backendPort}/"), TimeSpan.FromSeconds(10), [backend], BodyBytes);

        var grpcPort = run.Ports.Next();
        var grpcBackend = run.Start(ProcessSpecs.GrpcBackend(run, "grpc-backend", grpcPort));
        await GrpcCheck.WaitForEchoAsync(new Uri($"http://127.0.0.1:{grpcPort}"), TimeSpan.FromSeconds(20), grpcBackend);

        var tcpPort = run.Ports.Next();
        var tcpBackend = run.Start(ProcessSpecs.TcpEchoBackend(run, "tcp-echo-backend", tcpPort));
        await Tcp.TcpPathCheck.WaitForEchoAsync(tcpPort, TimeSpan.FromSeconds(20), [tcpBackend]);

        var adminPort = run.Ports.Next();
        var discoveryPort = run.Ports.Next();
        var meshConfig = Path.Combine(run.RunDirectory, "mesh-config");
        CopyDirectory(Path.Combine(run.Settings.ConfigsDirectory, "mesh-config"), meshConfig);
        var controlPlane = run.Start(ProcessSpecs.ControlPlane(run, "controlplane", adminPort, discoveryPort, meshConfig));
        await Readiness.WaitForOkAsync(run, new Uri($"http://127.0.0.1:{adminPort}/readyz"), TimeSpan.FromSeconds(30), [controlPlane]);
        return new SharedServices(backendPort, grpcPort, adminPort, discoveryPort, backend, grpcBackend, controlPlane, tcpPort, tcpBackend);
    }

    /// <summary>Writes an nginx config for <paramref name="name"/> into the run directory.</summary>
    public static string RenderNginx(RunContext run, string name, string template, int port, int upstreamPort)
    {
        Directory.CreateDirectory(Path.Combine(run.RunDirectory, name + "-tmp"));
        var text = ConfigTemplate.Render(run.ConfigFile(template), new Dictionary<string, string>
        {
            ["RUN_DIR"] = run.RunDirectory,
            ["NAME"] = name,
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["UPSTREAM_PORT"] = upstreamPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BODY"] = Body,
        });
        var path = Path.Combine(run.RunDirectory, name + ".conf");
        File.WriteAllText(path, text);
        return path;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }
}
