namespace Mesh.Proxy.Telemetry.Expressions;

internal enum CelTokenKind
{
    End,
    Identifier,
    Int,
    Double,
    String,
    Operator,
}

internal readonly record struct CelToken(CelTokenKind Kind, string Text, int Position, long IntValue = 0, double DoubleValue = 0);
