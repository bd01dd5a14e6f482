// Bookinfo's details service: the book's publishing details as JSON.
using System.Globalization;
using Mesh.ServiceDefaults;

namespace Bookinfo.Details;

internal static class DetailsApp
{
    public const int DefaultPort = 9081;
    public const string NumericIdError = "please provide numeric product id";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMeshedServiceDefaults();
        builder.ListenOnDefaultsUnlessConfigured(kestrel => kestrel.ListenLocalhost(DefaultPort));
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, DetailsJsonContext.Default));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/details/{productId}", (string productId) =>
            int.TryParse(productId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
                ? Results.Ok(BookDetails.ForProduct(id))
                : Results.BadRequest(new ErrorResponse(NumericIdError)));
        return app;
    }
}
