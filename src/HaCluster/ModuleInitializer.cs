// Copyright (c) HaCluster contributors. MIT License.
// Wires dependency isolation before any cmdlet touches the engine.

using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace HaCluster;

/// <summary>
/// Runs when the module is imported. The engine and its dependencies live in the module's
/// <c>dependencies</c> folder; on PowerShell 7 they load into a private AssemblyLoadContext
/// (HaCluster.Loader), on Windows PowerShell through an AssemblyResolve handler scoped to that folder.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "HaCluster.Engine";

    private static readonly string ModuleDirectory =
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? string.Empty;

    private static readonly string DependencyDirectory = Path.Combine(ModuleDirectory, "dependencies");

    private static bool _desktopHandlerInstalled;

    /// <summary>Installs the resolver for the engine and its dependencies.</summary>
    public void OnImport()
    {
        if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
        {
            if (!_desktopHandlerInstalled)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencyDirectory;
                _desktopHandlerInstalled = true;
            }

            return;
        }

        var loader = Assembly.LoadFrom(Path.Combine(ModuleDirectory, "HaCluster.Loader.dll"));
        var context = loader.GetType("HaCluster.Loader.DependencyLoadContext", throwOnError: true)!;
        context.GetMethod("Initialize")!.Invoke(null, new object[] { DependencyDirectory, EngineAssemblyName });
    }

    /// <summary>Nothing to undo: the load context cannot be unloaded while the engine is in use.</summary>
    /// <param name="psModuleInfo">The module being removed.</param>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
    }

    // Windows PowerShell has one load context: serve only files that exist in our folder.
    private static Assembly? ResolveFromDependencyDirectory(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name).Name;
        var path = Path.Combine(DependencyDirectory, name + ".dll");
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }
}
