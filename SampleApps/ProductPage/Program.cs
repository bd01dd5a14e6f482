using Bookinfo.ProductPage;

ProductPageApp.Build(args).Run();
