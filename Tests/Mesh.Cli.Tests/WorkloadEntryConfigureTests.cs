using System.Text;
using Mesh.Cli.Tests.Infrastructure;
using Mesh.ControlPlane.Security;

namespace Mesh.Cli.Tests;

/// <summary>
/// <c>meshctl workload entry configure</c> against a real control plane: the files a VM needs, with
/// owner-only secrets, a token the control plane issued for the group, and clear refusals of bad
/// input (nothing written).
/// </summary>
public sealed class WorkloadEntryConfigureTests
{
    private const string Group = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadGroup
        metadata: {name: details-vm, namespace: bookinfo}
        spec:
          metadata:
            labels: {app: details, version: v2}
          template:
            serviceAccount: bookinfo-details
            network: vm-network
            ports: {http: 9080, tcp-metrics: 9102}
          probe:
            periodSeconds: 5
            httpGet: {path: /health, port: 9080}

        """;

    [Fact]
    public async Task Configure_writes_the_vm_files_with_an_issued_group_token_and_owner_only_secrets()
    {
        await using var host = await CliHost.StartAsync(bootstrapKey: TestControlPlaneOptions.DefaultBootstrapKey);
        var file = host.WriteFile("group.yaml", Group);
        Assert.Equal(0, (await host.RunAsync("apply", "-f", file)).ExitCode);

        var run = await host.RunAsync("workload", "entry", "configure", "-f", file, "-o", "../vm", "--ingressIP", "192.168.50.1", "--token-duration", "2h", "--clusterID", "east");

        Assert.True(run.ExitCode == 0, run.ToString());
        var directory = Path.Combine(host.WorkDirectory, "vm");
        Assert.Equal(["mesh-sidecar.env", "mesh-sidecar.service", "mesh-token", "mesh.yaml", "root-cert.pem"],
            Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "mesh-token")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "mesh-sidecar.env")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(directory, "root-cert.pem")));
        }

        var token = File.ReadAllText(Path.Combine(directory, "mesh-token")).Trim();
        var check = BootstrapToken.Validate(Encoding.UTF8.GetBytes(TestControlPlaneOptions.DefaultBootstrapKey), token, DateTimeOffset.UtcNow);
        Assert.Equal(new WorkloadCredential("bookinfo", "bookinfo-details", null, "details-vm"), check.Credential);
        Assert.NotNull(BootstrapToken.Validate(Encoding.UTF8.GetBytes(TestControlPlaneOptions.DefaultBootstrapKey), token, DateTimeOffset.UtcNow.AddHours(2)).FailureReason);

        var environment = File.ReadAllLines(Path.Combine(directory, "mesh-sidecar.env"));
        Assert.Contains("Mesh__ControlPlane__Address=https://192.168.50.1:15012", environment);
        Assert.Contains("Mesh__ControlPlane__TokenFile=/etc/mesh/mesh-token", environment);
        Assert.Contains("Mesh__ControlPlane__RootCertFile=/etc/mesh/root-cert.pem", environment); // verifies the control plane before the token leaves
        Assert.Contains("Mesh__Node__WorkloadGroup=details-vm", environment);
        Assert.Contains("Mesh__Node__Network=vm-network", environment); // the VM reaches other networks through their gateways
        Assert.Contains("Mesh__Node__Namespace=bookinfo", environment);
        Assert.Contains("Mesh__Node__ServiceAccount=bookinfo-details", environment);
        Assert.Contains("Mesh__Inbound__0__ListenPort=9080", environment);
        Assert.Contains("Mesh__Inbound__0__Protocol=HTTP", environment);
        Assert.Contains("Mesh__Inbound__1__Protocol=TCP", environment);
        Assert.Contains("""Mesh__ReadinessProbe='{"periodSeconds":5,"httpGet":{"path":"/health","port":9080}}'""", environment);
        Assert.Contains("MESH_CLUSTER_ID=east", environment);
        var unit = File.ReadAllText(Path.Combine(directory, "mesh-sidecar.service"));
        Assert.Contains("EnvironmentFile=/etc/mesh/mesh-sidecar.env", unit);
        Assert.Contains("ExecStart=/usr/bin/dotnet /opt/mesh/sidecar/Mesh.Sidecar.dll", unit);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(Path.Combine(directory, "root-cert.pem")), StringComparison.Ordinal);
        var settings = File.ReadAllText(Path.Combine(directory, "mesh.yaml"));
        Assert.Contains("controlPlaneAddress: \"https://192.168.50.1:15012\"", settings);
        Assert.Contains("trustDomain: \"cluster.local\"", settings);
        Assert.Contains("clusterID: \"east\"", settings);
    }

    [Fact]
    public async Task Configure_without_an_address_for_the_vm_warns_that_loopback_is_unreachable()
    {
        await using var host = await CliHost.StartAsync(bootstrapKey: TestControlPlaneOptions.DefaultBootstrapKey);
        var file = host.WriteFile("group.yaml", Group);
        await host.RunAsync("apply", "-f", file);

        var run = await host.RunAsync("workload", "entry", "configure", "-f", file, "-o", "../vm");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"warning: the control plane's address {host.GrpcUri} is loopback", run.Error);
        Assert.Contains($"Mesh__ControlPlane__Address={host.GrpcUri}", File.ReadAllText(Path.Combine(host.WorkDirectory, "vm", "mesh-sidecar.env")));
    }

    [Theory]
    [InlineData("not-applied", "WorkloadGroup bookinfo/reviews-vm is not in the control plane's configuration")]
    [InlineData("invalid", "spec.template: template is required")]
    [InlineData("no-group", "must hold exactly one WorkloadGroup; it holds 0")]
    [InlineData("short-token", "--token-duration '5m' is not a duration from 600 s to 30 d")]
    [InlineData("bad-ingress", "--ingressIP 'gateway' is not an IP address")]
    public async Task Configure_refuses_bad_input_and_writes_nothing(string kind, string error)
    {
        await using var host = await CliHost.StartAsync(bootstrapKey: TestControlPlaneOptions.DefaultBootstrapKey);
        var file = host.WriteFile("group.yaml", Group);
        await host.RunAsync("apply", "-f", file);
        string[] args = kind switch
        {
            "not-applied" => ["-f", host.WriteFile("other.yaml", Group.Replace("name: details-vm", "name: reviews-vm", StringComparison.Ordinal))],
            "invalid" => ["-f", host.WriteFile("other.yaml", Group[..Group.IndexOf("  template:", StringComparison.Ordinal)])],
            "no-group" => ["-f", host.WriteFile("other.yaml", Group.Replace("kind: WorkloadGroup", "kind: WorkloadEntry", StringComparison.Ordinal)[..Group.IndexOf("spec:", StringComparison.Ordinal)] + "spec: {address: 10.0.0.1}\n")],
            "short-token" => ["-f", file, "--token-duration", "5m"],
            _ => ["-f", file, "--ingressIP", "gateway"],
        };

        var run = await host.RunAsync(["workload", "entry", "configure", .. args, "-o", "../vm"]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(error, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.False(Directory.Exists(Path.Combine(host.WorkDirectory, "vm")));
    }
}
