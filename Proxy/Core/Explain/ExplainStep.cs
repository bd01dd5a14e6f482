namespace Mesh.Proxy.Core.Explain;

/// <summary>
/// One stage's answer in an explanation: the stage, its verdict (e.g. <c>matched</c>, <c>DENY</c>,
/// <c>no route</c>), a sentence saying why, and the candidates it looked at (each route tried, each
/// weighted cluster, each policy, each endpoint) with their own verdicts.
/// </summary>
public sealed record ExplainStep(string Stage, string Verdict, string Detail)
{
    public IReadOnlyList<ExplainItem> Items { get; init; } = [];
}

/// <summary>A candidate a stage looked at (a route, a cluster, a policy, an endpoint).</summary>
public sealed record ExplainItem(string Name, string Verdict, string Detail)
{
    /// <summary>Machine-readable facts about the candidate (an endpoint's <c>proxy</c>, <c>workload</c>, <c>scheme</c>), for tools that follow the request.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
}
