using Mesh.Bench.Tool.ControlPlaneSim;

namespace Mesh.Bench.Tool.Reporting;

/// <summary>The control-plane measurement for one proxy count.</summary>
public sealed record ControlPlaneRun(int Proxies, SimulatorResult? Result, string? Error);
