using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// One snapshot route built from one match of a Gateway API route rule, with what orders it among
/// the routes of its virtual host (the spec's precedence) and the clusters it references.
/// </summary>
internal sealed record ConvertedRoute(Wire.Route Route, RoutePrecedence Precedence, IReadOnlyList<(string Host, uint Port)> Clusters);

/// <summary>
/// The Gateway API's precedence among matches of routes for one hostname: an Exact path before a
/// PathPrefix (longer first), regular expressions after them (Istio's choice), then a method match,
/// more header matches, more query parameter matches; ties keep the routes' order (oldest route,
/// then namespace/name — the local store has no creation times, so name order) and rule order.
/// </summary>
internal sealed record RoutePrecedence(int PathRank, int PathLength, bool HasMethod, int Headers, int QueryParams) : IComparable<RoutePrecedence>
{
    public const int ExactRank = 3;
    public const int PrefixRank = 2;
    public const int RegexRank = 1;
    public const int NoPathRank = -1;

    public int CompareTo(RoutePrecedence? other)
    {
        if (other is null)
        {
            return -1;
        }

        // Earlier (higher precedence) sorts first.
        return PathRank != other.PathRank ? other.PathRank.CompareTo(PathRank)
            : PathLength != other.PathLength ? other.PathLength.CompareTo(PathLength)
            : HasMethod != other.HasMethod ? other.HasMethod.CompareTo(HasMethod)
            : Headers != other.Headers ? other.Headers.CompareTo(Headers)
            : other.QueryParams.CompareTo(QueryParams);
    }
}

/// <summary>
/// What one Gateway API route (HTTPRoute, GRPCRoute, TCPRoute or TLSRoute) becomes for one kind of parent (gateway or
/// mesh): its snapshot routes, and what its status must say — unresolved references (ResolvedRefs
/// False), rules dropped for values the mesh cannot honour (PartiallyInvalid, or Accepted False
/// when every rule is dropped).
/// </summary>
internal sealed record RouteConversion(IReadOnlyList<ConvertedRoute> Routes, GatewayApiProblem? UnresolvedRefs, IReadOnlyList<string> DroppedRules, int RuleCount)
{
    /// <summary>A TCPRoute's or TLSRoute's rules (its <see cref="Routes"/> are empty).</summary>
    public IReadOnlyList<L4ConvertedRule> L4Rules { get; init; } = [];

    public bool AllRulesDropped => RuleCount > 0 && DroppedRules.Count == RuleCount;
}
