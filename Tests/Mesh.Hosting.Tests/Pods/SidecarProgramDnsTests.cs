using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using DnsClient;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;
using Poll = Mesh.Testing.Poll;

namespace Mesh.Hosting.Tests.Pods;

/// <summary>
/// The sidecar program's DNS proxy (docs/capture.md §4) as a process of its own — the build the
/// test project was built with, or the shipped Native AOT build with <c>MESH_TEST_SIDECAR</c>
/// (<c>tools/test-aot</c>), where the DNS library's message types must survive trimming: a
/// ServiceEntry host is answered with its allocated address, a name in the mesh's domain that is
/// no service is NXDOMAIN, and any other name is the upstream resolver's answer, over UDP and TCP, asked by a
/// DNS client of another implementation (DnsClient.NET).
/// </summary>
public sealed partial class SidecarProgramDnsTests
{
    // A sidecar process starting on a busy machine (JIT) takes seconds; the poll ends as soon as it listens.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static readonly IPAddress UpstreamAnswer = IPAddress.Parse("192.0.2.10");

    [Fact]
    public async Task The_sidecar_program_answers_mesh_names_and_forwards_the_rest_over_udp_and_tcp()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions { BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey });
        await controlPlane.ApplyAsync("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: httpbin, namespace: default}
            spec:
              hosts: [httpbin.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: DNS
            """);
        using var upstream = new UpstreamResolver();
        using var sidecar = PodProcess.Start("sidecar", null, ProxyProgram.Command("Mesh.Sidecar", BuiltSidecar), new Dictionary<string, string>
        {
            ["Mesh__ControlPlane__Address"] = controlPlane.GrpcUri.ToString(),
            ["Mesh__ControlPlane__Token"] = controlPlane.MintToken("ratings", "ratings-1"),
            ["Mesh__Node__Id"] = "ratings-1",
            ["Mesh__Node__Workload"] = "ratings-v1",
            ["Mesh__Node__ServiceAccount"] = "ratings",
            ["Mesh__Node__Labels__app"] = "ratings",
            ["Mesh__Node__Address"] = "127.0.0.1",
            ["Mesh__AdminPort"] = "0",
            ["Mesh__Dns__Enabled"] = "true",
            ["Mesh__Dns__Port"] = "0",
            ["Mesh__Dns__Upstream__0"] = upstream.EndPoint.ToString(),
        });

        var endPoint = await Poll.ForAsync("the sidecar's DNS proxy listening", () =>
            Task.FromResult(sidecar.HasExited ? throw new Xunit.Sdk.XunitException($"the sidecar exited\n{sidecar.Output}") : ListeningOn().Match(sidecar.Output) is { Success: true } m ? IPEndPoint.Parse(m.Groups[1].Value) : null),
            () => sidecar.Output, Patience);

        foreach (var tcp in new[] { false, true })
        {
            var client = new LookupClient(new LookupClientOptions(endPoint) { UseCache = false, UseTcpOnly = tcp, Retries = 0, Timeout = TimeSpan.FromSeconds(10) });
            var mesh = await Poll.ForAsync($"the ServiceEntry host resolved through the mesh (tcp: {tcp})", async () =>
            {
                try
                {
                    var response = await client.QueryAsync("httpbin.example.com", QueryType.A);
                    return response.Header.ResponseCode == DnsHeaderResponseCode.NoError ? response.Answers.ARecords().SingleOrDefault() : null;
                }
                catch (DnsResponseException)
                {
                    return null; // SERVFAIL until the first snapshot, as resolvers retry
                }
            }, () => sidecar.Output, Patience);
            Assert.StartsWith("240.240.", mesh.Address.ToString(), StringComparison.Ordinal); // ServiceEntry auto-allocation

            var missing = await client.QueryAsync("nope.default.svc.cluster.local", QueryType.A);
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, missing.Header.ResponseCode);

            var outside = await client.QueryAsync("example.com", QueryType.A);
            Assert.Equal(DnsHeaderResponseCode.NoError, outside.Header.ResponseCode);
            Assert.Equal(UpstreamAnswer, Assert.Single(outside.Answers.ARecords()).Address);
        }

        Assert.Contains("example.com", upstream.Asked);
        Assert.DoesNotContain(upstream.Asked, n => n.EndsWith("cluster.local", StringComparison.Ordinal) || n.StartsWith("httpbin", StringComparison.Ordinal));
    }

    private static string BuiltSidecar =>
        typeof(SidecarProgramDnsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PodProgram:Mesh.Sidecar").Value!;

    [GeneratedRegex(@"DNS proxy listening on (\S+) ")]
    private static partial Regex ListeningOn();

    /// <summary>
    /// An upstream resolver on 127.0.0.1 (UDP) written against RFC 1035 directly, so the proxy's
    /// forwarding is checked against bytes no DNS library produced: every A question is answered
    /// with 192.0.2.10 (a name compressed to the question), and the question names are recorded.
    /// </summary>
    private sealed class UpstreamResolver : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly List<string> _asked = [];

        public UpstreamResolver()
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _ = ServeAsync();
        }

        public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        public IReadOnlyList<string> Asked
        {
            get
            {
                lock (_asked)
                {
                    return [.. _asked];
                }
            }
        }

        public void Dispose() => _socket.Dispose();

        private async Task ServeAsync()
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0));
                    var answer = Answer(buffer.AsSpan(0, received.ReceivedBytes));
                    await _socket.SendToAsync(answer, received.RemoteEndPoint);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                // Disposed at the end of the test.
            }
        }

        private byte[] Answer(ReadOnlySpan<byte> query)
        {
            // Header (12 bytes), then the question: labels up to the root, type, class.
            var end = 12;
            var labels = new List<string>();
            while (query[end] != 0)
            {
                labels.Add(System.Text.Encoding.ASCII.GetString(query.Slice(end + 1, query[end])));
                end += query[end] + 1;
            }

            end += 5;
            lock (_asked)
            {
                _asked.Add(string.Join('.', labels));
            }

            var isA = BinaryPrimitives.ReadUInt16BigEndian(query[(end - 4)..]) == 1;
            var response = new List<byte>(query[..end].ToArray());
            response[2] = (byte)(0x80 | (query[2] & 0x01)); // QR, RD copied
            response[3] = 0x80; // RA, NOERROR
            response[6] = 0;
            response[7] = (byte)(isA ? 1 : 0); // ANCOUNT
            response[8] = response[9] = response[10] = response[11] = 0; // no authority, no additional (EDNS dropped)
            if (isA)
            {
                response.AddRange([0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, .. UpstreamAnswer.GetAddressBytes()]);
            }

            return [.. response];
        }
    }
}
