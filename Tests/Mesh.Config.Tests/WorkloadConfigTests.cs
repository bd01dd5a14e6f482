using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests;

/// <summary>
/// WorkloadEntry and WorkloadGroup (issue 14): Istio's VM documents validate in every served
/// version, and Istio's rules refuse bad entries and groups with file, line and field path.
/// </summary>
public sealed class WorkloadConfigTests
{
    [Theory]
    [InlineData("v1")]
    [InlineData("v1beta1")]
    [InlineData("v1alpha3")]
    public void Istio_vm_documents_validate_in_every_version(string version)
    {
        var yaml = $$"""
            apiVersion: networking.istio.io/{{version}}
            kind: WorkloadGroup
            metadata: {name: details, namespace: bookinfo}
            spec:
              metadata:
                labels: {app: details, version: v2}
                annotations: {team: vm}
              template:
                serviceAccount: bookinfo-details
                network: vm-network
              probe:
                periodSeconds: 5
                initialDelaySeconds: 1
                httpGet: {port: 9080, path: /health, httpHeaders: [{name: X-Probe, value: "1"}]}
            ---
            apiVersion: networking.istio.io/{{version}}
            kind: WorkloadEntry
            metadata: {name: details-vm, namespace: bookinfo}
            spec:
              address: 10.0.0.7
              labels: {app: details, version: v2}
              ports: {http: 19080}
              serviceAccount: bookinfo-details
              locality: us-east/zone-a
              weight: 3
            """;

        var parsed = ConfigParser.Parse(yaml, "vm.yaml");

        Assert.Empty(parsed.Errors.Select(e => e.ToString()));
        Assert.Empty(ConfigValidator.Validate(parsed.Objects).Select(e => e.ToString()));
        var entry = Assert.IsType<WorkloadEntryConfig>(parsed.Objects.Single(o => o.Kind == "WorkloadEntry").Spec);
        Assert.Equal(19080u, entry.Ports["http"]);
        var group = Assert.IsType<WorkloadGroupConfig>(parsed.Objects.Single(o => o.Kind == "WorkloadGroup").Spec);
        Assert.Equal(9080u, group.Probe!.HttpGet!.Port);
        Assert.Equal("details", group.Metadata!.Labels["app"]);
    }

    [Fact]
    public void Kinds_resolve_by_plural_and_short_name()
    {
        Assert.Same(ConfigKinds.WorkloadEntry, ConfigKinds.Find("we"));
        Assert.Same(ConfigKinds.WorkloadEntry, ConfigKinds.Find("workloadentries.networking.istio.io"));
        Assert.Same(ConfigKinds.WorkloadGroup, ConfigKinds.Find("wg"));
        Assert.Contains(ConfigKinds.WorkloadGroup, ConfigKinds.Istio);
    }

    [Theory]
    [InlineData("{labels: {app: x}}", "spec.address", "address is required")]
    [InlineData("{address: 'unix:///var/run/a.sock'}", "spec.address", "unix domain socket endpoints are not supported")]
    [InlineData("{address: not_a_host!}", "spec.address", "endpoint address \"not_a_host!\" is not a valid FQDN or an IP address")]
    [InlineData("{address: 10.0.0.1, ports: {http: 0}}", "spec.ports.http", "port number 0 must be in the range 1..65535")]
    [InlineData("{address: 10.0.0.1, ports: {Bad_Name: 80}}", "spec.ports.Bad_Name", "invalid port name: Bad_Name")]
    [InlineData("{address: 10.0.0.1, labels: {'a b': x}}", "spec.labels[\"a b\"]", "invalid label key")]
    [InlineData("{address: 10.0.0.1, serviceAccount: 'Not/Valid'}", "spec.serviceAccount", "invalid service account")]
    public void Bad_workload_entries_are_refused_at_the_field(string spec, string path, string message)
    {
        var errors = Errors("WorkloadEntry", spec);

        Assert.Contains(errors, e => e.Contains($"WorkloadEntry/bad: {path}: ", StringComparison.Ordinal) && e.Contains(message, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.StartsWith("bad.yaml (document 1, line", e, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{metadata: {labels: {app: x}}}", "spec.template", "template is required")]
    [InlineData("{template: {}, metadata: {labels: {'-bad': x}}}", "spec.metadata.labels[\"-bad\"]", "invalid label key")]
    [InlineData("{template: {}, probe: {periodSeconds: -1, tcpSocket: {port: 80}}}", "spec.probe.periodSeconds", "periodSeconds must be non-negative")]
    [InlineData("{template: {}, probe: {failureThreshold: -2, tcpSocket: {port: 80}}}", "spec.probe.failureThreshold", "failureThreshold must be non-negative")]
    [InlineData("{template: {}, probe: {tcpSocket: {port: 0}}}", "spec.probe.tcpSocket.port", "must be in the range")]
    [InlineData("{template: {}, probe: {httpGet: {port: 80, scheme: FTP}}}", "spec.probe.httpGet.scheme", "httpGet.scheme must be one of")]
    [InlineData("{template: {}, probe: {httpGet: {port: 80, httpHeaders: [{name: 'a:b'}]}}}", "spec.probe.httpGet.httpHeaders[0].name", "is not a valid header name")]
    [InlineData("{template: {}, probe: {exec: {command: []}}}", "spec.probe.exec.command", "exec.command is required")]
    [InlineData("{template: {}, probe: {exec: {command: [true]}, tcpSocket: {port: 80}}}", "spec.probe", "only one of httpGet, tcpSocket, exec or grpc may be set")]
    [InlineData("{template: {}, probe: {periodSeconds: 3}}", "spec.probe", "probe must have one health check method")]
    [InlineData("{template: {}, probe: {grpc: {port: 80}}}", "spec.probe.grpc", "grpc is not supported")]
    public void Bad_workload_groups_are_refused_at_the_field(string spec, string path, string message)
    {
        var errors = Errors("WorkloadGroup", spec);

        Assert.Contains(errors, e => e.Contains($"WorkloadGroup/bad: {path}: ", StringComparison.Ordinal) && e.Contains(message, StringComparison.Ordinal));
    }

    private static List<string> Errors(string kind, string spec)
    {
        var yaml = $"apiVersion: networking.istio.io/v1\nkind: {kind}\nmetadata: {{name: bad}}\nspec: {spec}\n";
        return [.. ConfigValidator.ValidateParsed(ConfigParser.Parse(yaml, "bad.yaml")).Select(e => e.ToString())];
    }
}
