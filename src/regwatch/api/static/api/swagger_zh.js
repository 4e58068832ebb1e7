// Swagger UI has no Chinese locale: its fixed interface words are replaced as it renders them.
// Only whole text nodes that equal a known English phrase change; the API's own (Chinese) texts are untouched.
(function () {
  document.documentElement.lang = "zh-CN";
  var WORDS = {
    "Try it out": "试一试", "Try it out ": "试一试", "Cancel": "取消", "Execute": "执行", "Clear": "清除",
    "Parameters": "参数", "No parameters": "无参数", "Name": "名称", "Description": "说明",
    "Responses": "响应", "Response content type": "响应类型", "Code": "状态码", "Links": "链接",
    "No links": "无链接", "Request body": "请求体", "Example Value": "示例值", "Schema": "结构",
    "Schemas": "数据结构", "Servers": "服务器", "Authorize": "认证", "Available authorizations": "可用的认证方式",
    "Logout": "退出", "Close": "关闭", "Request URL": "请求地址", "Server response": "服务器响应",
    "Response body": "响应体", "Response headers": "响应头", "Details": "详情", "Download": "下载",
    "Media type": "媒体类型", "Controls Accept header.": "控制 Accept 请求头。", "required": "必填",
    "Filter by tag": "按标签筛选", "Value": "值", "Undocumented": "未说明", "Loading...": "加载中……",
    "Default value": "默认值", "Available values": "可选值", "Send empty value": "发送空值",
    "Reset": "重置", "Edit Value": "编辑值", "Example": "示例", "Examples": "示例", "Explore": "浏览",
    "Expand all": "全部展开", "Collapse all": "全部收起", "Responses ": "响应"
  };
  function swap(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), node;
    while ((node = walker.nextNode())) {
      var text = node.nodeValue.trim();
      if (WORDS[text]) node.nodeValue = node.nodeValue.replace(text, WORDS[text]);
    }
    root.querySelectorAll && root.querySelectorAll("input[placeholder='Filter by tag']").forEach(function (el) {
      el.placeholder = "按标签筛选";
    });
  }
  var ui = document.getElementById("swagger-ui") || document.body;
  new MutationObserver(function (changes) {
    changes.forEach(function (c) { c.addedNodes.forEach(function (n) { if (n.nodeType === 1) swap(n); else if (n.nodeType === 3 && n.parentNode) swap(n.parentNode); }); });
  }).observe(ui, { childList: true, subtree: true, characterData: false });
  swap(ui);
})();
