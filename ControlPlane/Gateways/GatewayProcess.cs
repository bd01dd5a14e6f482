using System.Diagnostics;
using System.Globalization;

namespace Mesh.ControlPlane.Gateways;

/// <summary>
/// One Gateway's proxy as a child process of the control plane: the gateway program with the
/// <c>Mesh__*</c> settings of its deployment. Its output is read (and the last error lines kept) so
/// it never blocks on a full pipe; <see cref="Exited"/> completes when it ends.
/// </summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _errors = new();
    private readonly Lock _gate = new();

    private GatewayProcess(Process process, GatewayDeployment deployment)
    {
        _process = process;
        Deployment = deployment;
        Exited = process.WaitForExitAsync();
    }

    public GatewayDeployment Deployment { get; }

    public int Id => _process.Id;

    public Task Exited { get; }

    public int ExitCode => _process.HasExited ? _process.ExitCode : 0;

    /// <summary>The last lines the process wrote to standard error.</summary>
    public string LastErrors
    {
        get
        {
            lock (_gate)
            {
                return string.Join(" | ", _errors);
            }
        }
    }

    public static GatewayProcess Start(string program, GatewayDeployment deployment, Uri controlPlane, string token, Action<string> stdout)
    {
        var start = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet") { ArgumentList = { program } }
            : new ProcessStartInfo(program);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(program)) ?? System.Environment.CurrentDirectory;
        SetEnvironment(start.Environment, deployment, controlPlane, token);

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var child = new GatewayProcess(process, deployment);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stdout(line);
            }
        };
        process.ErrorDataReceived += (_, e) => child.RecordError(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Ends the process (and anything it started) and waits until it is gone, so its ports are free again.</summary>
    public void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }

    // The settings Mesh.Hosting gives the ingress gateway, for this Gateway; the control plane's own
    // settings (its ports, ASP.NET Core URLs, service name) are not the child's.
    private static void SetEnvironment(IDictionary<string, string?> env, GatewayDeployment deployment, Uri controlPlane, string token)
    {
        foreach (var key in env.Keys.Where(k => k.StartsWith("ControlPlane__", StringComparison.Ordinal) || k.StartsWith("Kestrel__", StringComparison.Ordinal)
            || k is "ASPNETCORE_URLS" or "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_HTTPS_PORTS" or "OTEL_SERVICE_NAME" or "OTEL_RESOURCE_ATTRIBUTES").ToList())
        {
            env.Remove(key);
        }

        env["Mesh__Mode"] = "Gateway";
        env["Mesh__ControlPlane__Address"] = controlPlane.ToString();
        env["Mesh__ControlPlane__Token"] = token;
        env["Mesh__Node__Id"] = deployment.NodeId;
        env["Mesh__Node__Workload"] = deployment.Workload;
        env["Mesh__Node__Namespace"] = deployment.Namespace;
        env["Mesh__Node__ServiceAccount"] = deployment.Workload;
        env["Mesh__Node__Address"] = "127.0.0.1";
        env["Mesh__Node__Labels__gateway.networking.k8s.io/gateway-name"] = deployment.Name;
        env["Mesh__Node__Labels__gateway.networking.k8s.io/gateway-class-name"] = deployment.ClassName;
        env["Mesh__Node__Labels__istio.io/gateway-name"] = deployment.Name;
        // Without an istio label a gateway answers to Istio's default ingress selector (istio:
        // ingressgateway) and would serve Istio Gateways meant for the ingress gateway.
        env["Mesh__Node__Labels__istio"] = deployment.Workload;
        env["Mesh__AdminPort"] = "0";
        env["OTEL_SERVICE_NAME"] = deployment.Workload;
        env["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={deployment.NodeId},service.namespace={deployment.Namespace}";
        for (var i = 0; i < deployment.Ports.Count; i++)
        {
            var port = deployment.Ports[i];
            env[$"Mesh__Gateway__Listeners__{i}__Port"] = port.LocalPort.ToString(CultureInfo.InvariantCulture);
            env[$"Mesh__Gateway__Listeners__{i}__ServicePort"] = port.ListenerPort.ToString(CultureInfo.InvariantCulture);
            env[$"Mesh__Gateway__Listeners__{i}__Protocol"] = port.Protocol;
        }
    }

    private void RecordError(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_gate)
        {
            _errors.Enqueue(line.Trim());
            while (_errors.Count > 5)
            {
                _errors.Dequeue();
            }
        }
    }
}
