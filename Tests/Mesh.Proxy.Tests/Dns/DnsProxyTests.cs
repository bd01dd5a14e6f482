using System.Net;
using ARSoft.Tools.Net.Dns;
using DnsClient;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Dns.Model;
using Mesh.Proxy.Dns.Serving;
using Mesh.Proxy.Dns.Translation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Proxy.Tests.Dns;

/// <summary>
/// The sidecar's DNS proxy over real sockets (127.0.0.1, port 0) with a DNS client of another
/// implementation (DnsClient.NET), over UDP and TCP: mesh names from the name table, NXDOMAIN in the
/// mesh's domain without asking upstream, everything else from a real upstream resolver.
/// </summary>
public sealed class DnsProxyTests : IAsyncLifetime
{
    internal const string ReviewsVip = "240.241.0.7";
    private const string RatingsVip = "240.241.0.9";
    internal const string HttpbinVip = "240.240.0.3";
    private readonly List<string> _upstreamQuestions = [];
    private DnsProxyServer? _upstream;
    private DnsProxyServer? _proxy;
    private DnsNameTable? _table;

    public async Task InitializeAsync()
    {
        // The upstream: answers example.com, NXDOMAIN for anything else, and records what it was asked.
        _upstream = DnsProxyServer.Start(new IPEndPoint(IPAddress.Loopback, 0), (query, _) =>
        {
            var response = query.CreateResponseInstance();
            var question = query.Questions.Single();
            lock (_upstreamQuestions)
            {
                _upstreamQuestions.Add($"{question.Name} {question.RecordType}");
            }

            if (question.Name.ToString() == "example.com." && question.RecordType == RecordType.A)
            {
                response.AnswerRecords.Add(new ARecord(question.Name, 300, IPAddress.Parse("192.0.2.10")));
            }
            else
            {
                response.ReturnCode = ReturnCode.NxDomain;
            }

            return Task.FromResult(response);
        }, NullLogger.Instance);

        var forwarder = new DnsForwarder([_upstream.EndPoint], TimeSpan.FromSeconds(5));
        _proxy = DnsProxyServer.Start(new IPEndPoint(IPAddress.Loopback, 0), new DnsAnswerer(() => _table, forwarder).AnswerAsync, NullLogger.Instance);
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await (_proxy?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_upstream?.DisposeAsync() ?? ValueTask.CompletedTask);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mesh_service_names_resolve_to_their_vip_with_the_short_name_only_from_the_proxys_namespace(bool tcp)
    {
        _table = Table();
        var client = Client(tcp);

        foreach (var name in new[] { "reviews", "reviews.default", "reviews.default.svc", "reviews.default.svc.cluster.local", "REVIEWS.Default.svc.cluster.local." })
        {
            var response = await client.QueryAsync(name, QueryType.A);
            Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
            Assert.True(response.Header.HasAuthorityAnswer, name);
            var answer = Assert.Single(response.Answers.ARecords());
            Assert.Equal((ReviewsVip, DnsAnswerer.Ttl), (answer.Address.ToString(), answer.InitialTimeToLive));
        }

        // ratings lives in another namespace: its short name is not the mesh's (asked upstream), the others are.
        Assert.Equal(RatingsVip, (await client.QueryAsync("ratings.other", QueryType.A)).Answers.ARecords().Single().Address.ToString());
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync("ratings", QueryType.A)).Header.ResponseCode);
        Assert.Contains("ratings. A", Asked());

        // A ServiceEntry host: its VIP.
        Assert.Equal(HttpbinVip, (await client.QueryAsync("httpbin.org", QueryType.A)).Answers.ARecords().Single().Address.ToString());
    }

    [Fact]
    public async Task A_known_name_without_addresses_of_the_asked_type_has_no_data_and_is_not_asked_upstream()
    {
        _table = Table();

        var response = await Client(tcp: false).QueryAsync("reviews.default.svc.cluster.local", QueryType.AAAA);

        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.Empty(response.Answers);
        Assert.Empty(Asked());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Names_in_the_mesh_domain_that_are_no_service_are_nxdomain_without_asking_upstream(bool tcp)
    {
        _table = Table();
        var client = Client(tcp);

        foreach (var name in new[] { "nothing.default.svc.cluster.local", "example.com.default.svc.cluster.local", "cluster.local" })
        {
            var response = await client.QueryAsync(name, QueryType.A);
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, response.Header.ResponseCode);
            Assert.Empty(response.Answers);
        }

        Assert.Empty(Asked());
    }

    [Fact]
    public async Task A_service_name_with_a_search_suffix_appended_is_a_cname_to_the_service()
    {
        _table = Table();

        var response = await Client(tcp: false).QueryAsync("reviews.default.svc.cluster.local.default.svc.cluster.local", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.Equal("reviews.default.svc.cluster.local.", response.Answers.CnameRecords().Single().CanonicalName.Value);
        var address = response.Answers.ARecords().Single();
        Assert.Equal(("reviews.default.svc.cluster.local.", ReviewsVip), (address.DomainName.Value, address.Address.ToString()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Everything_else_is_the_upstream_resolvers_answer(bool tcp)
    {
        _table = Table();
        var client = Client(tcp);

        var found = await client.QueryAsync("example.com", QueryType.A);
        var missing = await client.QueryAsync("nothing.example.com", QueryType.A);

        Assert.Equal(("192.0.2.10", 300), (found.Answers.ARecords().Single().Address.ToString(), found.Answers.ARecords().Single().InitialTimeToLive));
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, missing.Header.ResponseCode);
        Assert.Equal(["example.com. A", "nothing.example.com. A"], Asked());
    }

    [Fact]
    public async Task Before_the_first_snapshot_every_query_is_a_server_failure()
    {
        var response = await Client(tcp: false).QueryAsync("reviews", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.ServerFailure, response.Header.ResponseCode);
        Assert.Empty(Asked());
    }

    [Fact]
    public async Task With_no_upstream_answering_names_outside_the_mesh_are_a_server_failure()
    {
        _table = Table();
        await using var proxy = DnsProxyServer.Start(new IPEndPoint(IPAddress.Loopback, 0), new DnsAnswerer(() => _table, new DnsForwarder([], TimeSpan.FromSeconds(1))).AnswerAsync, NullLogger.Instance);
        var client = new LookupClient(new LookupClientOptions(new NameServer(proxy.EndPoint)) { UseCache = false, Retries = 0, ThrowDnsErrors = false, ContinueOnDnsError = false });

        Assert.Equal(DnsHeaderResponseCode.ServerFailure, (await client.QueryAsync("example.com", QueryType.A)).Header.ResponseCode);
        Assert.Equal(ReviewsVip, (await client.QueryAsync("reviews", QueryType.A)).Answers.ARecords().Single().Address.ToString());
    }

    [Fact]
    public void Resolv_conf_gives_the_name_servers_and_the_last_search_list()
    {
        var conf = ResolvConf.Parse(["# comment", "nameserver 10.0.0.2", "search a.example b.example", "nameserver fd00::53", "options ndots:5", "search default.svc.cluster.local svc.cluster.local"]);

        Assert.Equal(["10.0.0.2:53", "[fd00::53]:53"], conf.NameServers.Select(e => e.ToString()));
        Assert.Equal(["default.svc.cluster.local", "svc.cluster.local"], conf.Search);
    }

    [Fact]
    public void An_address_that_is_no_ip_rejects_the_snapshot_naming_the_field()
    {
        var errors = new TranslationErrors();
        var service = new ServiceAddress { Name = "bad.default.svc.cluster.local", Namespace = "default", MeshService = true, Addresses = { "not-an-ip" } };

        DnsNameTableTranslator.Translate([service], "default", "cluster.local", [], errors);

        Assert.StartsWith("service_addresses[0] (bad.default.svc.cluster.local).addresses: 'not-an-ip'", Assert.Single(errors.All), StringComparison.Ordinal);
    }

    /// <summary>reviews and ratings (another namespace) as mesh services, httpbin.org as a ServiceEntry host, seen from namespace default.</summary>
    internal static DnsNameTable Table()
    {
        ServiceAddress[] services =
        [
            new() { Name = "reviews.default.svc.cluster.local", Namespace = "default", MeshService = true, Addresses = { ReviewsVip }, Ports = { new ServiceAddressPort { Number = 9080, Protocol = Protocol.Http } } },
            new() { Name = "ratings.other.svc.cluster.local", Namespace = "other", MeshService = true, Addresses = { RatingsVip } },
            new() { Name = "httpbin.org", Namespace = "default", Addresses = { HttpbinVip } },
        ];
        var errors = new TranslationErrors();
        var table = DnsNameTableTranslator.Translate(services, "default", "cluster.local", [], errors);
        Assert.Empty(errors.All);
        return table;
    }

    private LookupClient Client(bool tcp) => new(new LookupClientOptions(new NameServer(_proxy!.EndPoint))
    {
        UseCache = false,
        Retries = 0,
        UseTcpOnly = tcp,
        ThrowDnsErrors = false,
        ContinueOnDnsError = false,
        Timeout = TimeSpan.FromSeconds(10),
    });

    private List<string> Asked()
    {
        lock (_upstreamQuestions)
        {
            return [.. _upstreamQuestions];
        }
    }
}
