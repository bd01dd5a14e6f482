using System.Net;
using ARSoft.Tools.Net.Dns;

namespace Mesh.Proxy.Dns.Serving;

/// <summary>
/// Sends a query the mesh does not answer to the upstream resolvers, in order, until one answers
/// (UDP, then TCP when the answer was truncated), and copies its answer into the response. No
/// upstream answering: SERVFAIL.
/// </summary>
internal sealed class DnsForwarder(IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout)
{
    private readonly DnsClient[] _clients = [.. upstreams.Select(u => new DnsClient([u.Address], [new UdpClientTransport(u.Port), new TcpClientTransport(u.Port)], false, (int)timeout.TotalMilliseconds))];

    public IReadOnlyList<IPEndPoint> Upstreams => upstreams;

    public async Task<DnsMessage> ForwardAsync(DnsMessage query, DnsMessage response, CancellationToken token)
    {
        foreach (var client in _clients)
        {
            var forwarded = new DnsMessage
            {
                IsRecursionDesired = query.IsRecursionDesired,
                IsCheckingDisabled = query.IsCheckingDisabled,
                IsEDnsEnabled = true,
            };
            forwarded.Questions.AddRange(query.Questions);
            if (await client.SendMessageAsync(forwarded, token) is not { } answer)
            {
                continue;
            }

            response.ReturnCode = answer.ReturnCode;
            response.IsAuthoritiveAnswer = answer.IsAuthoritiveAnswer;
            response.IsRecursionAllowed = answer.IsRecursionAllowed;
            response.IsAuthenticData = answer.IsAuthenticData;
            response.AnswerRecords.AddRange(answer.AnswerRecords);
            response.AuthorityRecords.AddRange(answer.AuthorityRecords);
            response.AdditionalRecords.AddRange(answer.AdditionalRecords.Where(r => r.RecordType != RecordType.Opt));
            return response;
        }

        response.ReturnCode = ReturnCode.ServerFailure;
        return response;
    }
}
