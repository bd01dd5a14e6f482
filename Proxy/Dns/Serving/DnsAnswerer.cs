using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Proxy.Dns.Model;

namespace Mesh.Proxy.Dns.Serving;

/// <summary>
/// Answers one query as istio-agent's DNS proxy does: a name of the table gets its addresses (A,
/// AAAA; no data for other types), authoritatively; a name with a search suffix appended gets a
/// CNAME to the service and its addresses; any other name in the mesh's domain NXDOMAIN at once;
/// everything else the upstream resolver's answer. Before the first snapshot: SERVFAIL (the
/// client retries), never a guess.
/// </summary>
internal sealed class DnsAnswerer(Func<DnsNameTable?> table, DnsForwarder upstream)
{
    /// <summary>Istio's TTL for the answers of its DNS proxy.</summary>
    public const int Ttl = 30;

    public async Task<DnsMessage> AnswerAsync(DnsMessage query, CancellationToken token)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        if (query.Questions.Count != 1 || query.IsQuery == false)
        {
            // Resolvers send one question; a message with none or several is malformed here.
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }

        var question = query.Questions[0];
        if (table() is not { } names)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            return response;
        }

        var lookup = names.Lookup(DnsNameTable.Absolute(question.Name.ToString()));
        switch (lookup.Kind)
        {
            case DnsLookupKind.Host:
                response.IsAuthoritiveAnswer = true;
                AddAddresses(response, question.Name, question.RecordType, lookup.Host!);
                return response;
            case DnsLookupKind.Alias:
                response.IsAuthoritiveAnswer = true;
                var target = DomainName.Parse(lookup.AliasOf!);
                response.AnswerRecords.Add(new CNameRecord(question.Name, Ttl, target));
                AddAddresses(response, target, question.RecordType, lookup.Host!);
                return response;
            case DnsLookupKind.NoSuchName:
                response.IsAuthoritiveAnswer = true;
                response.ReturnCode = ReturnCode.NxDomain;
                return response;
            default:
                return await upstream.ForwardAsync(query, response, token);
        }
    }

    private static void AddAddresses(DnsMessage response, DomainName name, RecordType type, DnsHost host)
    {
        response.ReturnCode = ReturnCode.NoError;
        if (type is RecordType.A or RecordType.Any)
        {
            response.AnswerRecords.AddRange(host.V4.Select(a => new ARecord(name, Ttl, a)));
        }

        if (type is RecordType.Aaaa or RecordType.Any)
        {
            response.AnswerRecords.AddRange(host.V6.Select(a => new AaaaRecord(name, Ttl, a)));
        }
    }
}
