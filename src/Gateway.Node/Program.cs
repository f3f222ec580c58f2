using Gateway.Config;
using Gateway.Node.ClusterCa;
using Gateway.Node.Hosting;

if (args is [ClusterCaCommand.Name, ..])
    return ClusterCaCommand.Run(args[1..], Console.Out, Console.Error);

GatewayConfig config;
try
{
    config = GatewayConfigLoader.Load(null, GatewayConfigLoader.ProcessEnvironment(), args);
}
catch (ConfigException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddGatewayConsole(config.LogFormat);
builder.Services.AddGatewayNode(config);
var app = builder.Build();
app.UseGatewayNode();
return await GatewayNodeRunner.RunAsync(app, config);
