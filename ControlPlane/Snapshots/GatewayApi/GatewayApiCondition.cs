namespace Mesh.ControlPlane.Snapshots;

/// <summary>One status condition (<c>metav1.Condition</c> without its bookkeeping): type, True/False, reason, message.</summary>
internal sealed record GatewayApiCondition(string Type, bool Status, string Reason, string Message)
{
    public static GatewayApiCondition True(string type, string reason, string message) => new(type, true, reason, message);

    public static GatewayApiCondition False(string type, string reason, string message) => new(type, false, reason, message);
}

/// <summary>A reason and message explaining why something is not (fully) programmed.</summary>
internal sealed record GatewayApiProblem(string Reason, string Message);
