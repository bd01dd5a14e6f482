using System.Text.RegularExpressions;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>The CRD's pattern for a CORS filter origin: <c>*</c>, or <c>http(s)://host[:port]</c> with an optional <c>*.</c> host prefix.</summary>
internal static partial class CorsOriginRule
{
    public static bool IsValid(string origin) => Pattern().IsMatch(origin);

    [GeneratedRegex(@"(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9\-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)")]
    private static partial Regex Pattern();
}
