using System.Diagnostics.CodeAnalysis;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>One contribution to a <see cref="ProxyStage"/> (registered in DI by a feature module).</summary>
internal sealed record ProxyStageRegistration(
    ProxyStage Stage,
    [property: DynamicallyAccessedMembers(ProxyStageRegistration.MiddlewareMembers)][DynamicallyAccessedMembers(ProxyStageRegistration.MiddlewareMembers)] Type Implementation,
    string Feature)
{
    /// <summary>What a stage's class needs kept by the trimmer: ASP.NET Core's UseMiddleware and DI construct it and find its InvokeAsync by reflection.</summary>
    internal const DynamicallyAccessedMemberTypes MiddlewareMembers = DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods;
}

/// <summary>One contribution to a <see cref="ListenerStage"/>.</summary>
internal sealed record ListenerStageRegistration(ListenerStage Stage, Type Configurator, string Feature);

/// <summary>One contribution to a <see cref="NetworkStage"/> (an <c>INetworkFilter</c> or an <c>ITcpSessionObserver</c>).</summary>
internal sealed record NetworkStageRegistration(NetworkStage Stage, Type Implementation, string Feature);

/// <summary>Orders contributions by stage, keeping registration order within a stage.</summary>
internal static class StageOrder
{
    public static List<ProxyStageRegistration> Of(IEnumerable<ProxyStageRegistration> registrations, ProxyStageKind kind)
        => [.. registrations.Where(r => ProxyPipeline.KindOf(r.Stage) == kind).OrderBy(r => r.Stage)];
}
