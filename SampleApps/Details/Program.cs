using Bookinfo.Details;

DetailsApp.Build(args).Run();
