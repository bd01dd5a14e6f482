using Mesh.Proxy.Core.Pipeline;

namespace Mesh.Proxy.Core.Explain;

/// <summary>
/// A feature's part of an explanation (<c>POST /explain</c> on the admin listener): what its stage
/// decides for the request in <see cref="ExplainContext"/>, and why. Implementations call the same
/// code their stage decides requests with, on the same snapshot, and record the outcome; nothing of
/// this runs for real requests. Registered with <c>ProxyFeatureBuilder.AddExplainer</c>; explainers
/// run in <see cref="Stage"/> order with Core's own (routing, router, endpoints) and the route filters.
/// </summary>
public interface IRequestExplainer
{
    /// <summary>The pipeline stage explained: orders this explainer among the others.</summary>
    ProxyStage Stage { get; }

    /// <summary>Records this stage's decision; <see cref="ExplainContext.End"/> when the request would end here.</summary>
    ValueTask ExplainAsync(ExplainContext context);
}

/// <summary>
/// A route filter (<see cref="Routing.IRouteFilter"/>) that can say what it would do to the request
/// in an explanation: its configuration and, where it decides by chance (fault and mirror
/// percentages), the odds rather than a roll.
/// </summary>
public interface IExplainableRouteFilter
{
    void Explain(ExplainContext context);
}
