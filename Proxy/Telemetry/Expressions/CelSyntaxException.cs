namespace Mesh.Proxy.Telemetry.Expressions;

/// <summary>An expression that does not parse or names something the proxy does not know.</summary>
internal sealed class CelSyntaxException(string message, int position) : Exception(message)
{
    /// <summary>0-based offset in the expression text.</summary>
    public int Position { get; } = position;
}
