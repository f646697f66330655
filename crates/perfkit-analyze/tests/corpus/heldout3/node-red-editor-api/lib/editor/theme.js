/**
 * Copyright JS Foundation and other contributors, http://js.foundation
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 * http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 **/

var util = require("util");
var path = require("path");
var fs = require("fs");
var clone = require("clone");
const apiUtil = require("../util")

var defaultContext = {
    page: {
        title: "Node-RED",
        favicon: "favicon.ico",
        tabicon: {
            icon: "red/images/node-red-icon-black.svg",
            colour: "#8f0000"
        }
    },
    header: {
        title: "Node-RED",
        image: "red/images/node-red-icon.svg"
    },
    asset: {
        red: "red/red.min.js",
        main: "red/main.min.js",
        vendorMonaco: ""
    }
};
var settings;

var theme = null;
/**
 * themeContext is an object passed to the mustache template to generate the editor index.html.
*/
var themeContext = clone(defaultContext);
/**
 * themeSettings is an object passed to the editor client as the "editorTheme" property of the settings object
 */
var themeSettings = null;

var activeTheme = null;
var activeThemeInitialised = false;

var runtimeAPI;
var themeApp;

function serveFile(app,baseUrl,file) {
    try {
        var stats = fs.statSync(file);
        var url = baseUrl+path.basename(file);
        //console.log(url,"->",file);
        app.get(url,function(req, res) {
            res.sendFile(file);
        });
        return "theme"+url;
    } catch(err) {
        //TODO: log filenotfound
        return null;
    }
}

function serveFilesFromTheme(themeValue, themeApp, directory, baseDirectory) {
    var result = [];
    if (themeValue) {
        var array = themeValue;
        if (!Array.isArray(array)) {
            array = [array];
        }

        for (var i=0;i<array.length;i++) {
            let fullPath = array[i];
            if (baseDirectory) {
                fullPath = path.resolve(baseDirectory,array[i]);
                if (fullPath.indexOf(path.resolve(baseDirectory)) !== 0) {
                    continue;
                }
            }
            var url = serveFile(themeApp,directory,fullPath);
            if (url) {
                result.push(url);
            }
        }
    }
    return result
}

/**
 * Check if a theme is enabled and load its settings.
 * This is done lazily as it has to happen after the plugins have been loaded, but before the editor is served.
 */
async function loadThemePlugin () {
     if (activeTheme && !activeThemeInitialised) {
        const themePlugin = await runtimeAPI.plugins.getPlugin({
            id:activeTheme
        });
        if (themePlugin) {
            if (themePlugin.css) {
                const cssFiles = serveFilesFromTheme(
                    themePlugin.css,
                    themeApp,
                    "/css/",
                    themePlugin.path
                );
                themeContext.page.css = cssFiles.concat(themeContext.page.css || [])
                // Mutating `theme` is not ideal, but currently necessary as debug (packages/node_modules/@node-red/nodes/core/common/21-debug.js)
                // accesses RED.settings.editorTheme.page._.css directly to apply theme to the debug pop-out window.
                theme.page = theme.page || {_:{}}
                theme.page._.css = cssFiles.concat(theme.page._.css || [])
            }
            if (themePlugin.scripts) {
                const scriptFiles = serveFilesFromTheme(
                    themePlugin.scripts,
                    themeApp,
                    "/scripts/",
                    themePlugin.path
                )
                themeContext.page.scripts = scriptFiles.concat(themeContext.page.scripts || [])
                theme.page = theme.page || {_:{}}
                theme.page._.scripts = scriptFiles.concat(theme.page._.scripts || [])
            }
            // check and load page settings from theme
            if (themePlugin.page) {
                if (themePlugin.page.favicon) {
                    const result = serveFilesFromTheme(
                        [themePlugin.page.favicon],
                        themeApp,
                        "/",
                        themePlugin.path
                    )
                    if(result && result.length > 0) {
                        // update themeContext page favicon
                        themeContext.page.favicon = result[0]
                    }
                }
                if (themePlugin.page.tabicon && themePlugin.page.tabicon.icon) {
                    const result = serveFilesFromTheme(
                        [themePlugin.page.tabicon.icon],
                        themeApp,
                        "/page/",
                        themePlugin.path
                    )
                    if(result && result.length > 0) {
                        // update themeContext page tabicon
                        themeContext.page.tabicon.icon = result[0]
                        themeContext.page.tabicon.colour = themeContext.page.tabicon.colour || themeContext.page.tabicon.colour
                    }
                }
                if (themePlugin.page.title) {
                    themeContext.page.title = themePlugin.page.title || themeContext.page.title
                }
            }
            // check and load header settings from theme
            if (themePlugin.header) {
                if (themePlugin.header.image) {
                    const result = serveFilesFromTheme(
                        [themePlugin.header.image],
                        themeApp,
                        "/header/",
                        themePlugin.path
                    )
                    if(result && result.length > 0) {
                        // update themeContext header image
                        themeContext.header.image = result[0]
                    }
                } else if (themePlugin.header.image === false) {
                    themeContext.header.image = false
                }
                // if the plugin has a title
                if (themePlugin.header.hasOwnProperty('title')) {
                    themeContext.header.title = themePlugin.header.title
                }
                // if the plugin has a header url
                if (themePlugin.header.hasOwnProperty('url')) {
                    themeContext.header.url = themePlugin.header.url
                }
            }

            if (themePlugin.menu) {
                themeSettings.menu = Object.assign({}, themeSettings.menu, themePlugin.menu);
            }

            if (themePlugin.help) {
                themeSettings.help = themePlugin.help;
            }

            if (Array.isArray(themePlugin.palette?.theme)) {
                themeSettings.palette = themeSettings.palette || {};
                themeSettings.palette.theme = themePlugin.palette.theme;
                // The theme is providing its own palette theme. It *might* include icons that need namespacing
                // to the theme plugin module.
                themePlugin.palette.theme.forEach(themeRule => {
                    if (themeRule.icon && themeRule.icon.indexOf("/") === -1) {
                        themeRule.icon = `${themePlugin.module}/${themeRule.icon}`;
                    }
                })
            }
            if (themePlugin.palette?.categories) {
                // Prior to NR4.1.11, this could be an array of category names.
                // Since 4.1.11, this is an object with properties 'order', 'descriptions', and 'nodeOverrides'.
                // The 'order' property is an array of category names - equivalent to the previous array value of this property.
                // The 'descriptions' property is an object mapping category names to descriptions
                // The 'nodeOverrides' property is an object mapping node types to category names, allowing a theme to specify that certain nodes should be in a different category when the palette is rendered.
                if (Array.isArray(themePlugin.palette.categories)) {
                    themeSettings.palette = themeSettings.palette || {};
                    themeSettings.palette.categories = {
                        order: themePlugin.palette.categories,
                    }
                } else {
                    themeSettings.palette = themeSettings.palette || {};
                    themeSettings.palette.categories = {
                        order: Array.isArray(themePlugin.palette.categories.order) ? themePlugin.palette.categories.order : undefined,
                        descriptions: typeof themePlugin.palette.categories.descriptions === 'object' ? themePlugin.palette.categories.descriptions : undefined,
                        nodeOverrides: typeof themePlugin.palette.categories.nodeOverrides === 'object' ? themePlugin.palette.categories.nodeOverrides : undefined
                    }
                }
            }

            if (Array.isArray(themePlugin.schemes)) {
                const validSchemes = themePlugin.schemes.filter(s => s === 'light' || s === 'dark');
                if (validSchemes.length > 0) {
                    themeSettings.schemes = validSchemes;
                }
            }

            // These settings are not exposed under `editorTheme`, so we don't have a merge strategy for them
            // If they're defined in the theme plugin, they replace any settings.js values.
            // But, this direct manipulation of `theme` is not ideal and relies on mutating a passed-in object
            theme.codeEditor = theme.codeEditor || {}
            theme.codeEditor.options = Object.assign({}, themePlugin.monacoOptions, theme.codeEditor.options);
            theme.mermaid = Object.assign({}, themePlugin.mermaid, theme.mermaid)
        }
        activeThemeInitialised = true;
    }
}

module.exports = {
    init: function(_settings, _runtimeAPI) {
        settings = _settings;
        runtimeAPI = _runtimeAPI;
        themeContext = clone(defaultContext);
        if (process.env.NODE_ENV == "development") {
            themeContext.asset.red = "red/red.js";
            themeContext.asset.main = "red/main.js";
        }
        themeSettings = null;
        theme = settings.editorTheme || {};
        theme.codeEditor = theme.codeEditor || {}
        theme.codeEditor.lib = theme.codeEditor.lib || 'monaco' // default to monaco if no code editor lib specified
        themeContext.asset.vendorAce = ''
        themeContext.asset.vendorMonaco = ''
        if (theme.codeEditor.lib === 'monaco') {
            themeContext.asset.vendorMonaco = "vendor/monaco/monaco-bootstrap.js"
        } else if (theme.codeEditor.lib === 'ace') {
            themeContext.asset.vendorAce = 'vendor/ace/ace-bootstrap.js'
        } else {
            // default to basic if no valid code editor lib specified
            theme.codeEditor.lib = 'basic'
        }
        activeTheme = theme.theme;
    },

    app: function() {
        var i;
        var url;
        themeSettings = {};

        themeApp = apiUtil.createExpressApp(settings);
        
        const defaultServerSettings = {
            "x-powered-by": false
        }
        const serverSettings = Object.assign({},defaultServerSettings,settings.httpServerOptions||{});
        for (const eOption in serverSettings) {
            themeApp.set(eOption, serverSettings[eOption]);
        }

        if (theme.page) {

            themeContext.page.css = serveFilesFromTheme(
                theme.page.css,
                themeApp,
                "/css/")
            themeContext.page.scripts = serveFilesFromTheme(
                theme.page.scripts,
                themeApp,
                "/scripts/")

            if (theme.page.favicon) {
                url = serveFile(themeApp,"/favicon/",theme.page.favicon)
                if (url) {
                    themeContext.page.favicon = url;
                }
            }

            if (theme.page.tabicon) {
                let icon = theme.page.tabicon.icon || theme.page.tabicon
                url = serveFile(themeApp,"/tabicon/", icon)
                if (url) {
                    themeContext.page.tabicon.icon = url;
                }
                if (theme.page.tabicon.colour) {
                    themeContext.page.tabicon.colour = theme.page.tabicon.colour
                }
            }

            themeContext.page.title = theme.page.title || themeContext.page.title;

            // Store the resolved urls to these resources so nodes (such as Debug)
            // can access them
            theme.page._ = {
                css: themeContext.page.css,
                scripts: themeContext.page.scripts,
                favicon: themeContext.page.favicon
            }
        }

        if (theme.header) {

            themeContext.header.title = theme.header.title || themeContext.header.title;

            if (theme.header.hasOwnProperty("url")) {
                themeContext.header.url = theme.header.url;
            }

            if (theme.header.hasOwnProperty("image")) {
                if (theme.header.image) {
                    url = serveFile(themeApp,"/header/",theme.header.image);
                    if (url) {
                        themeContext.header.image = url;
                    }
                } else {
                    themeContext.header.image = null;
                }
            }
        }

        if (theme.deployButton) {
            themeSettings.deployButton = {};
            if (theme.deployButton.label) {
                themeSettings.deployButton.label = theme.deployButton.label;
            }
            if (theme.deployButton.type == "simple") {
                themeSettings.deployButton.type = theme.deployButton.type;
                if (theme.deployButton.icon) {
                    url = serveFile(themeApp,"/deploy/",theme.deployButton.icon);
                    if (url) {
                        themeSettings.deployButton.icon = url;
                    }
                }
            }
        }

        if (theme.hasOwnProperty("userMenu")) {
            themeSettings.userMenu = theme.userMenu;
        }

        if (theme.login) {
            let themeContextLogin = {}
            let hasLoginTheme = false
            if (theme.login.image) {
                url = serveFile(themeApp,"/login/",theme.login.image);
                if (url) {
                    themeContextLogin.image = url
                    hasLoginTheme = true
                }
            }
            if (theme.login.message) {
                themeContextLogin.message = theme.login.message
                hasLoginTheme = true
            }
            if (theme.login.button) {
                themeContextLogin.button = theme.login.button
                hasLoginTheme = true
            }
            if (hasLoginTheme) {
                themeContext.login = themeContextLogin
            }
        }
        themeApp.get("/", async function(req,res) {
            const themePluginList = await runtimeAPI.plugins.getPluginsByType({type:"node-red-theme"});
            themeContext.themes = themePluginList.map(theme => theme.id);
            res.json(themeContext);
        })

        // Copy the settings that need passing to the editor into themeSettings.
        if (theme.hasOwnProperty("menu")) {
            themeSettings.menu = theme.menu;
        }

        if (theme.hasOwnProperty("palette")) {
            themeSettings.palette = theme.palette;
            if (themeSettings.palette.categories && Array.isArray(themeSettings.palette.categories)) {
                themeSettings.palette.categories = {
                    order: themeSettings.palette.categories
                }
            }
        }

        if (theme.hasOwnProperty("projects")) {
            themeSettings.projects = theme.projects;
        }

        if (theme.hasOwnProperty("multiplayer")) {
            themeSettings.multiplayer = theme.multiplayer;
        }

        if (theme.hasOwnProperty("keymap")) {
            themeSettings.keymap = theme.keymap;
        }

        if (theme.theme) {
            themeSettings.theme = theme.theme;
        }

        if (theme.hasOwnProperty("tours")) {
            themeSettings.tours = theme.tours;
        }

        if (theme.hasOwnProperty("help")) {
            themeSettings.tours = theme.help;
        }

        return themeApp;
    },
    context: async function() {
        await loadThemePlugin();
        return themeContext;
    },
    settings: async function() {
        await loadThemePlugin();
        return themeSettings;
    },
    serveFile: function(baseUrl,file) {
        return serveFile(themeApp,baseUrl,file);
    }
}
