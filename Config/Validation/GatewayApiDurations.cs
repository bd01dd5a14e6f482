namespace Mesh.Config.Validation;

/// <summary>Reads Gateway API durations (GEP-2257: <c>10s</c>, <c>500ms</c>, <c>1h30m</c>) for the control plane.</summary>
public static class GatewayApiDurations
{
    /// <summary>The duration, or null when the text is not one (validation has reported it then).</summary>
    public static TimeSpan? Parse(string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, "^([0-9]{1,5}(h|m|s|ms)){1,4}$") ? GatewayApi.GatewayApiRules.ParseDuration(text) : null;
}
