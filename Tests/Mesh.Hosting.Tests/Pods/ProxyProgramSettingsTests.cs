using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Mesh.Testing.Proxy;

namespace Mesh.Hosting.Tests.Pods;

/// <summary>
/// The sidecar and gateway programs, run as processes (the build the test project was built with,
/// or another build selected with <c>MESH_TEST_SIDECAR</c> / <c>MESH_TEST_GATEWAY</c>, such as the
/// shipped Native AOT one), with one bad setting each: a port out of range or 0 where a port must be
/// given, a value that is no number, a required setting missing, a listener that cannot be opened.
/// Each program exits non-zero with one line naming the setting, and no stack trace.
/// </summary>
public sealed class ProxyProgramSettingsTests
{
    // A proxy process starting on a busy machine (JIT) takes seconds; this only bounds a hang.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("Mesh__Inbound__0__Port", "0", "Mesh:Inbound:0:Port must be 1-65535 (got 0).")]
    [InlineData("Mesh__Inbound__0__TargetPort", "70000", "Mesh:Inbound:0:TargetPort must be 1-65535 (got 70000).")]
    [InlineData("Mesh__Inbound__0__ListenPort", "-1", "Mesh:Inbound:0:ListenPort must be 0 (any free port) or 1-65535 (got -1).")]
    [InlineData("Mesh__AdminPort", "70000", "Mesh:AdminPort must be 0 (any free port) or 1-65535 (got 70000).")]
    [InlineData("Mesh__AdminPort", "abc", "'abc' at 'Mesh:AdminPort' to type 'System.Int32'")]
    [InlineData("Mesh__Inbound__0__Port", "99999999999", "'99999999999' at 'Mesh:Inbound:0:Port' to type 'System.Int32'")]
    [InlineData("Mesh__Inbound__0__Protocol", "SCTP", "'SCTP' at 'Mesh:Inbound:0:Protocol'")]
    [InlineData("Mesh__Dns__Enabled", "yes", "'yes' at 'Mesh:Dns:Enabled' to type 'System.Boolean'")]
    [InlineData("Mesh__Security__CertificateLifetime", "one day", "'one day' at 'Mesh:Security:CertificateLifetime'")]
    [InlineData("Mesh__Node__Workload", "", "Mesh:Node:Workload is required.")]
    [InlineData("Mesh__ControlPlane__Address", "", "Mesh:ControlPlane:Address must be an absolute http:// or https:// URI (got '').")]
    [InlineData("Mesh__Service", "", "Mesh:Service is required when Mesh:Inbound ports are configured")]
    [InlineData("Mesh__Mode", "Gateway", "Mesh:Mode is 'Gateway' but this host runs the proxy in Sidecar mode.")]
    public async Task The_sidecar_with_a_bad_setting_exits_with_one_line_naming_it(string setting, string value, string error)
    {
        await AssertRefusedAsync("Mesh.Sidecar", Sidecar(), setting, value, error, exitCode: 2);
    }

    [Theory]
    [InlineData("Mesh__Gateway__Listeners__0__Port", "70000", "Mesh:Gateway:Listeners:0:Port must be 0 (any free port) or 1-65535 (got 70000).")]
    [InlineData("Mesh__Gateway__Listeners__0__Port", "http", "'http' at 'Mesh:Gateway:Listeners:0:Port' to type 'System.Int32'")]
    [InlineData("Mesh__Gateway__Listeners__0__Port", null, "Mesh:Gateway:Listeners needs at least one listener with Mesh:Mode=Gateway.")]
    [InlineData("Mesh__Gateway__DrainTimeout", "-00:00:05", "Mesh:Gateway:DrainTimeout must not be negative (got -00:00:05).")]
    [InlineData("Mesh__Node__Workload", "", "Mesh:Node:Workload is required.")]
    [InlineData("Mesh__Dns__Enabled", "true", "Mesh:Dns:Enabled is a sidecar setting; it is not valid with Mesh:Mode=Gateway.")]
    public async Task The_gateway_with_a_bad_setting_exits_with_one_line_naming_it(string setting, string? value, string error)
    {
        var environment = Gateway();
        if (value is null)
        {
            // Left out: the gateway's only listener.
            foreach (var key in environment.Keys.Where(k => k.StartsWith("Mesh__Gateway__Listeners__0__", StringComparison.Ordinal)).ToList())
            {
                environment.Remove(key);
            }
        }

        await AssertRefusedAsync("Mesh.Gateway", environment, value is null ? null : setting, value, error, exitCode: 2);
    }

    [Fact]
    public async Task A_sidecar_whose_admin_port_is_taken_exits_with_one_line_naming_the_address()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await AssertRefusedAsync("Mesh.Sidecar", Sidecar(), "Mesh__AdminPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"127.0.0.1:{port}", exitCode: 1);
    }

    [Fact]
    public async Task A_sidecar_whose_dns_port_is_taken_exits_with_one_line_naming_the_setting()
    {
        using var taken = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.Client.LocalEndPoint!).Port;
        var environment = Sidecar();
        environment["Mesh__Dns__Enabled"] = "true";
        environment["Mesh__Dns__Upstream__0"] = "127.0.0.1";

        await AssertRefusedAsync("Mesh.Sidecar", environment, "Mesh__Dns__Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Mesh:Dns:Port: cannot listen on 127.0.0.1:{port} (UDP and TCP)", exitCode: 1);
    }

    private static async Task AssertRefusedAsync(string program, Dictionary<string, string> environment, string? setting, string? value, string error, int exitCode)
    {
        if (setting is not null)
        {
            environment[setting] = value!;
        }

        using var process = PodProcess.Start(program, null, ProxyProgram.Command(program, Built(program)), environment);

        var exited = await process.ExitCodeAsync(Patience);

        var output = process.Output;
        Assert.True(exited == exitCode, $"exit code {exited}, expected {exitCode}\n{output}");
        var lines = output.Split('\n').Select(l => l[$"[{program}] ".Length..]).ToList();
        var errors = lines.Where(l => l.StartsWith(program + ": ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Contains(error, StringComparison.Ordinal), $"expected one line '{program}: …{error}…'\n{output}");
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal) || l.Contains("Exception:", StringComparison.Ordinal));
    }

    /// <summary>A sidecar that would start: an inbound port, its service, a control plane address (never reached before it exits).</summary>
    private static Dictionary<string, string> Sidecar() => new()
    {
        ["Mesh__ControlPlane__Address"] = "http://127.0.0.1:9",
        ["Mesh__Node__Workload"] = "ratings-v1",
        ["Mesh__Service"] = "ratings",
        ["Mesh__AdminPort"] = "0",
        ["Mesh__Inbound__0__Name"] = "http",
        ["Mesh__Inbound__0__Port"] = "9080",
        ["Mesh__Inbound__0__TargetPort"] = "9081",
        ["Mesh__Inbound__0__ListenPort"] = "0",
    };

    /// <summary>A gateway that would start: one listener on any free port for Gateway server port 80.</summary>
    private static Dictionary<string, string> Gateway() => new()
    {
        ["Mesh__ControlPlane__Address"] = "http://127.0.0.1:9",
        ["Mesh__Node__Workload"] = "ingressgateway",
        ["Mesh__AdminPort"] = "0",
        ["Mesh__Gateway__Listeners__0__Port"] = "0",
        ["Mesh__Gateway__Listeners__0__ServicePort"] = "80",
    };

    private static string Built(string program) =>
        typeof(ProxyProgramSettingsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PodProgram:" + program).Value!;
}
