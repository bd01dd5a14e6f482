using System.Globalization;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>How the harness starts each kind of process (all pinned to the CPUs under test).</summary>
public static class ProcessSpecs
{
    /// <summary>The service port every benchmark service uses (Bookinfo's).</summary>
    public const int ServicePort = 9080;

    /// <param name="authenticated">
    /// Give the control plane the run's bootstrap key: proxies must present tokens and get workload
    /// certificates (the data path). Without it the discovery stream is open and no CSR is signed
    /// (the control-plane benchmark's simulated proxies need neither).
    /// </param>
    public static ProcessSpec ControlPlane(RunContext run, string name, int adminPort, int grpcPort, string configDirectory, bool authenticated = true)
    {
        var env = new Dictionary<string, string>
        {
            ["ControlPlane__AdminPort"] = Text(adminPort),
            ["ControlPlane__GrpcPort"] = Text(grpcPort),
            ["ControlPlane__BindAddress"] = "127.0.0.1",
            ["ControlPlane__ConfigDirectory"] = configDirectory,
            ["ControlPlane__DataDirectory"] = Path.Combine(run.RunDirectory, name + "-data"),
        };
        if (authenticated)
        {
            env["ControlPlane__Security__BootstrapKey"] = run.Credentials.Key;
        }

        return new ProcessSpec { Name = name, FileName = run.ControlPlanePath, Cpus = run.Settings.SutCpus, Environment = DotnetEnvironment(env) };
    }

    public static ProcessSpec Sidecar(RunContext run, SidecarSpec sidecar, int controlPlaneGrpcPort)
    {
        var env = new Dictionary<string, string>
        {
            ["Mesh__ControlPlane__Address"] = $"http://127.0.0.1:{Text(controlPlaneGrpcPort)}",
            ["Mesh__Node__Id"] = sidecar.Name,
            ["Mesh__Node__Workload"] = sidecar.Workload,
            ["Mesh__Node__Namespace"] = sidecar.Namespace,
            ["Mesh__Node__ServiceAccount"] = sidecar.App,
            ["Mesh__Node__Address"] = "127.0.0.1",
            ["Mesh__Node__Labels__app"] = sidecar.App,
            ["Mesh__Node__Labels__version"] = "v1",
            ["Mesh__BindAddress"] = "127.0.0.1",
            ["Mesh__AppAddress"] = "127.0.0.1",
            ["Mesh__AdminPort"] = Text(sidecar.AdminPort),
            ["Mesh__ControlPlane__Token"] = run.Credentials.TokenFor(sidecar.Namespace, sidecar.App, sidecar.Name),
        };
        if (sidecar.Service is not null)
        {
            env["Mesh__Service"] = sidecar.Service;
            env["Mesh__Inbound__0__Name"] = sidecar.Protocol.ToLowerInvariant();
            env["Mesh__Inbound__0__Port"] = Text(ServicePort);
            env["Mesh__Inbound__0__Protocol"] = sidecar.Protocol;
            env["Mesh__Inbound__0__ListenPort"] = Text(sidecar.InboundListenPort);
            env["Mesh__Inbound__0__TargetPort"] = Text(sidecar.AppPort);
        }

        if (sidecar.OutboundService is not null)
        {
            env["Mesh__Outbound__0__Host"] = sidecar.OutboundService;
            env["Mesh__Outbound__0__Port"] = Text(ServicePort);
            env["Mesh__Outbound__0__Protocol"] = sidecar.Protocol;
            env["Mesh__Outbound__0__ListenPort"] = Text(sidecar.OutboundListenPort);
        }

        foreach (var (key, value) in sidecar.Extra.Concat(run.Settings.MeshEnvironment))
        {
            env[key] = value;
        }

        return new ProcessSpec { Name = sidecar.Name, FileName = run.SidecarBinary(sidecar.Build), Cpus = run.Settings.SutCpus, Environment = DotnetEnvironment(env) };
    }

    /// <param name="servicePort">The Gateway server port its one listener serves (80; the TCP row: Istio's tcp port 31400).</param>
    /// <param name="selectorLabel">Its <c>istio</c> label, which the Gateway resources select it by.</param>
    public static ProcessSpec Gateway(RunContext run, string name, int listenPort, int adminPort, int controlPlaneGrpcPort, int servicePort = 80, string selectorLabel = "ingressgateway") => new()
    {
        Name = name,
        FileName = run.GatewayPath,
        Cpus = run.Settings.SutCpus,
        Environment = DotnetEnvironment(new Dictionary<string, string>(run.Settings.MeshEnvironment)
        {
            ["Mesh__ControlPlane__Address"] = $"http://127.0.0.1:{Text(controlPlaneGrpcPort)}",
            ["Mesh__Node__Id"] = name,
            ["Mesh__Node__Workload"] = "istio-ingressgateway",
            ["Mesh__Node__Namespace"] = "istio-system",
            ["Mesh__Node__ServiceAccount"] = "istio-ingressgateway-service-account",
            ["Mesh__Node__Labels__istio"] = selectorLabel,
            ["Mesh__Node__Labels__app"] = "istio-ingressgateway",
            ["Mesh__BindAddress"] = "127.0.0.1",
            ["Mesh__AdminPort"] = Text(adminPort),
            ["Mesh__Gateway__Listeners__0__Port"] = Text(listenPort),
            ["Mesh__Gateway__Listeners__0__ServicePort"] = Text(servicePort),
            ["Mesh__Gateway__Listeners__0__Protocol"] = "HTTP",
            ["Mesh__ControlPlane__Token"] = run.Credentials.TokenFor("istio-system", "istio-ingressgateway-service-account", name),
        }),
    };

    public static ProcessSpec Nginx(RunContext run, string name, string configPath) => new()
    {
        Name = name,
        FileName = "nginx",
        Arguments = ["-c", configPath, "-e", Path.Combine(run.RunDirectory, name + ".error.log")],
        Cpus = run.Settings.SutCpus,
    };

    public static ProcessSpec Haproxy(RunContext run, string name, string configPath) => new()
    {
        Name = name,
        FileName = "haproxy",
        Arguments = ["-db", "-f", configPath],
        Cpus = run.Settings.SutCpus,
    };

    public static ProcessSpec GrpcBackend(RunContext run, string name, int port) => new()
    {
        Name = name,
        FileName = Tools.SelfCommand.Path,
        Arguments = ["grpc-backend", "--port", Text(port)],
        Cpus = run.Settings.SutCpus,
        Environment = DotnetEnvironment(new Dictionary<string, string>()),
    };

    public static ProcessSpec TcpEchoBackend(RunContext run, string name, int port) => new()
    {
        Name = name,
        FileName = Tools.SelfCommand.Path,
        Arguments = ["tcp-echo-backend", "--port", Text(port)],
        Cpus = run.Settings.SutCpus,
        Environment = DotnetEnvironment(new Dictionary<string, string>()),
    };

    private static Dictionary<string, string> DotnetEnvironment(Dictionary<string, string> env)
    {
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["DOTNET_ENVIRONMENT"] = "Production";
        env["DOTNET_NOLOGO"] = "1";
        return env;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
