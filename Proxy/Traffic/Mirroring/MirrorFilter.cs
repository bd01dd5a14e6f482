using System.Globalization;
using Mesh.Proxy.Core.Explain;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.Common;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.Mirroring;

/// <summary>
/// Istio traffic mirroring for one route (Envoy's request shadowing): for each mirror whose
/// percentage rolls, a copy of the request — Host suffixed "-shadow", route header operations and
/// rewrites applied — goes to the mirror cluster once the caller's body has been read by the
/// primary exchange (the kept copy is reused, so the primary is never slowed or buffered; bodies
/// larger than what is kept are not mirrored, as Envoy abandons such shadows). The copy's response
/// is discarded and its failures only logged.
/// </summary>
internal sealed class MirrorFilter(MirrorModel[] mirrors, MirrorSender sender) : IRouteFilter, IExplainableRouteFilter
{
    /// <summary>Each mirror cluster with the share of requests copied to it (the response is never waited for).</summary>
    public void Explain(ExplainContext context)
    {
        var items = mirrors.Select(m => new ExplainItem(m.Cluster.Name, "mirror", $"{m.Percentage.ToString("0.###", CultureInfo.InvariantCulture)} % of requests are copied (Host + \"-shadow\"); the copy's response is discarded")).ToList();
        context.Set("mirror", string.Join(' ', mirrors.Select(m => m.Cluster.Name)));
        context.Add(new ExplainStep("Mirror", "mirror", $"{mirrors.Length} mirror(s)") { Items = items });
    }

    public ValueTask<bool> OnRequestAsync(HttpContext context, RoutingResult request)
    {
        List<MirrorModel>? chosen = null;
        foreach (var mirror in mirrors)
        {
            if (Percentages.Roll(mirror.Percentage))
            {
                (chosen ??= new List<MirrorModel>(mirrors.Length)).Add(mirror);
            }
        }

        if (chosen is not null)
        {
            var copies = new MirrorRequest[chosen.Count];
            for (var i = 0; i < copies.Length; i++)
            {
                copies[i] = MirrorRequest.Capture(context, request, chosen[i].Cluster);
            }

            var replay = RequestBodyReplay.GetOrPrepare(context);
            replay.OnBodyComplete(body =>
            {
                foreach (var copy in copies)
                {
                    sender.Send(copy, body);
                }
            });
        }

        return ValueTask.FromResult(true);
    }
}
