namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// A proxy feature (traffic management, security, telemetry, gateway serving, ...) as one
/// registration: <c>builder.AddMeshProxy(mode).AddFeature&lt;TrafficFeature&gt;()</c>. In
/// <see cref="Register"/> the feature adds its services, the translator that turns its part of
/// each snapshot into its own model, and its contributions to the stages of the one pipeline
/// (Pipeline/ProxyPipeline.cs). A feature references Mesh.Proxy.Core only, never another feature.
/// </summary>
public interface IProxyFeatureModule
{
    void Register(ProxyFeatureBuilder feature);
}
