namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// Which build of the sidecar a row runs. <see cref="Shipped"/> is Native AOT (bench/.build/sidecar-aot);
/// the others are for comparison: the JIT build (<c>*-jit</c> rows), and Native AOT variants bench/run
/// publishes beside the shipped one to measure whether they pay (<c>*-speed</c>, <c>*-native</c>; not shipped).
/// </summary>
public enum SidecarBuild
{
    /// <summary>Native AOT as it ships (the JIT build stands in without it, --no-aot).</summary>
    Shipped,

    /// <summary>The framework-dependent JIT build (bench/.build/sidecar).</summary>
    Jit,

    /// <summary>Native AOT with <c>OptimizationPreference=Speed</c> (bench/.build/sidecar-aot-speed).</summary>
    AotSpeed,

    /// <summary>
    /// Native AOT with <c>OptimizationPreference=Speed</c> and <c>IlcInstructionSet=native</c>: code for this
    /// machine's CPU only (bench/.build/sidecar-aot-native). Not portable: it fails to start on a CPU
    /// without the instruction sets of the machine that built it.
    /// </summary>
    AotNative,
}

/// <summary>Row names and folders of the sidecar builds.</summary>
public static class SidecarBuilds
{
    /// <summary>What a row running <paramref name="build"/> appends to its name ("" for the shipped build).</summary>
    public static string RowSuffix(this SidecarBuild build) => build switch
    {
        SidecarBuild.Jit => "-jit",
        SidecarBuild.AotSpeed => "-speed",
        SidecarBuild.AotNative => "-native",
        _ => "",
    };

    /// <summary>What a row's title says of its build ("" for the shipped build).</summary>
    public static string TitleSuffix(this SidecarBuild build) => build switch
    {
        SidecarBuild.Jit => ", JIT build",
        SidecarBuild.AotSpeed => ", Native AOT optimized for speed (not shipped)",
        SidecarBuild.AotNative => ", Native AOT optimized for speed and this machine's CPU (not shipped, not portable)",
        _ => "",
    };

    /// <summary>The folder under the build directory a Native AOT variant is published to (null: not a variant).</summary>
    public static string? VariantFolder(this SidecarBuild build) => build switch
    {
        SidecarBuild.AotSpeed => "sidecar-aot-speed",
        SidecarBuild.AotNative => "sidecar-aot-native",
        _ => null,
    };
}
