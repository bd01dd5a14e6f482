using Mesh.Config.Model.Networking;
using Mesh.Config.Model.Security;
using Mesh.Config.Model.Telemetry;

namespace Mesh.Config.Validation;

internal static class ServiceEntryValidator
{
    public static void Validate(ServiceEntryConfig spec, ValidationContext context)
    {
        _ = spec;
        _ = context;
    }
}
