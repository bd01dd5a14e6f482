using Mesh.Config.Loading;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests;

/// <summary>
/// TCP and TLS configuration (issue 13): Istio's tcp-echo task files (samples/tcp-echo, including
/// the authorization task's policies) and the TLS passthrough / egress constructs validate; what
/// stays unsupported is refused by name.
/// </summary>
public sealed class L4ConfigTests
{
    public static TheoryData<string> TcpEchoFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "samples", "tcp-echo"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}gateway-api{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Path.Combine(RepositoryFiles.Root, "samples", "tcp-echo"), file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TcpEchoFiles))]
    public void Istio_tcp_echo_task_file_validates_unchanged(string file)
    {
        var result = ConfigParser.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "samples", "tcp-echo", file)), file);

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.NotEmpty(result.Objects);
        Assert.Empty(ConfigValidator.Validate(result.Objects).Select(e => e.ToString()));
    }

    [Fact]
    public void Tls_passthrough_gateway_sni_routes_and_tcp_service_entries_validate()
    {
        // Istio's "Ingress Gateway without TLS Termination" and "Egress using wildcard hosts" shapes.
        const string yaml = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: mygateway}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: https, protocol: HTTPS}
                tls: {mode: PASSTHROUGH}
                hosts: [nginx.example.com]
              - port: {number: 15443, name: tls, protocol: TLS}
                tls: {mode: AUTO_PASSTHROUGH}
                hosts: ["*.local"]
              - port: {number: 31400, name: tcp, protocol: TCP}
                hosts: ["*"]
              - port: {number: 9443, name: tls-simple, protocol: TLS}
                tls: {mode: SIMPLE, credentialName: db-credential}
                hosts: [db.example.com]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: nginx}
            spec:
              hosts: [nginx.example.com]
              gateways: [mygateway]
              tls:
              - match:
                - port: 443
                  sniHosts: [nginx.example.com]
                route:
                - destination: {host: my-nginx, port: {number: 443}}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: wikipedia}
            spec:
              hosts: ["*.wikipedia.org"]
              ports: [{number: 443, name: tls, protocol: TLS}]
              location: MESH_EXTERNAL
              resolution: NONE
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: mongo}
            spec:
              hosts: [my-mongo.tcp.svc]
              addresses: [10.0.0.0/24]
              ports: [{number: 27018, name: mongo, protocol: MONGO}, {number: 5432, name: pg}]
              location: MESH_EXTERNAL
              resolution: STATIC
              endpoints: [{address: 10.0.0.10}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: mongo}
            spec:
              host: my-mongo.tcp.svc
              trafficPolicy:
                connectionPool:
                  tcp: {maxConnections: 10, connectTimeout: 2s, idleTimeout: 30s, maxConnectionDuration: 1h, tcpKeepalive: {time: 60s, interval: 10s, probes: 3}}
                tls: {mode: SIMPLE, sni: my-mongo.tcp.svc}
            """;
        var result = ConfigParser.Parse(yaml, "l4.yaml");

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.Empty(ConfigValidator.Validate(result.Objects).Select(e => e.ToString()));
    }
}
