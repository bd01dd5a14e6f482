global using Microsoft.AspNetCore.Http;
